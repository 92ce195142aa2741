import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A request to a child, and the event a child may push unasked (e.g. a timing mark). */
interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}
interface Push {
  event: string;
  data: unknown;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A bench child process (server host or load generator) driven over IPC. Children run
 * the TypeScript sources through tsx, like the orchestrator, so no build is needed.
 */
export class Child {
  readonly process: ChildProcess;
  #next = 1;
  #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners = new Map<string, (data: unknown) => void>();
  #exited: Promise<number | null>;

  constructor(file: string, args: string[], execArgv: string[] = []) {
    this.process = fork(fileURLToPath(new URL(file, import.meta.url)), args, {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (m: Reply | Push) => {
      if ('event' in m) {
        this.#listeners.get(m.event)?.(m.data);
        return;
      }
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error));
    });
    this.#exited = new Promise((resolve) => {
      this.process.on('exit', (code) => {
        for (const w of this.#waiting.values()) {
          w.reject(new Error(`${file} exited (code ${code}) before answering`));
        }
        this.#waiting.clear();
        resolve(code);
      });
    });
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, cmd, args } satisfies Request);
    });
  }

  on(event: string, listener: (data: unknown) => void): void {
    this.#listeners.set(event, listener);
  }

  /** Asks the child to exit; kills it if it has not within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}

type Handler = (args: never) => unknown;

/**
 * The child side: answers the parent's calls with `handlers`, and exits when the parent
 * goes away, so a crashed orchestrator never leaves load running.
 */
export function serveParent(handlers: Record<string, Handler>): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: Request) => {
    const handler = handlers[m.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      const result = await handler(m.args as never);
      process.send?.({ id: m.id, ok: true, result } satisfies Reply);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ id: m.id, ok: false, error: text } satisfies Reply);
    }
  });
}

/** Pushes an unasked event to the parent (e.g. "measurement window starts now"). */
export function pushEvent(event: string, data: unknown = null): void {
  process.send?.({ event, data } satisfies Push);
}
