import { createLogger, type Logger, type LogLevel } from '../log.js';
import type { Frame } from '../protocol/types.js';

export interface VerbosityArgs {
  verbose?: unknown;
  quiet?: unknown;
}

/** -q: errors only; default: warnings; -v and more: debug. Everything goes to stderr. */
export function cliLogger(argv: VerbosityArgs, scope: string): Logger {
  const verbose = Number(argv.verbose ?? 0);
  const level: LogLevel = argv.quiet ? 'error' : verbose > 0 ? 'debug' : 'warn';
  return createLogger({ level, scope });
}

const PREVIEW = 120;

/** One stderr line per frame, for -vv: direction, type, length and a printable preview. */
export function frameDumper(): (direction: 'in' | 'out', frame: Frame) => void {
  return (direction, frame) => {
    const text = frame.payload.toString('utf8', 0, Math.min(frame.payload.length, PREVIEW * 4));
    const cut = [...text].slice(0, PREVIEW).join('');
    const more = frame.payload.length > Buffer.byteLength(cut) ? '…' : '';
    process.stderr.write(
      `mpcrp-bot: ${direction === 'in' ? '<<' : '>>'} type=${frame.type} len=${frame.payload.length} ${JSON.stringify(cut)}${more}\n`,
    );
  };
}
