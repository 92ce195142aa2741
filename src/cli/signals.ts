import { ExitCode } from './exit-codes.js';

/** 128 + the signal number, as shells report a process ended by that signal. */
const SIGNAL_EXIT = { SIGINT: ExitCode.Interrupted, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT;

/**
 * Turns SIGINT/SIGTERM/SIGHUP into a call of `stop(exitCode)` so the command can clean up
 * (close the connection, flush stdout) before it ends. Returns the function that removes
 * the handlers. A second signal while cleaning up is not swallowed: it ends the process.
 */
export function onStopSignals(stop: (exitCode: number, signal: HandledSignal) => void): () => void {
  const handlers = new Map<HandledSignal, () => void>();
  for (const signal of Object.keys(SIGNAL_EXIT) as HandledSignal[]) {
    const handler = () => {
      dispose();
      stop(SIGNAL_EXIT[signal], signal);
    };
    handlers.set(signal, handler);
    process.once(signal, handler);
  }
  function dispose(): void {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    handlers.clear();
  }
  return dispose;
}
