import type { Logger } from '../log.js';

export interface LogLimiterOptions {
  /** Length of one window, in milliseconds. Default 1,000. */
  intervalMs?: number;
  /** Lines of one kind written per window; the rest are counted. Default 1. */
  linesPerWindow?: number;
}

interface Kind {
  /** When the current window began (Date.now()). */
  start: number;
  /** Lines written in it. */
  lines: number;
  /** Events counted and not yet reported. */
  unlogged: number;
  level: 'info' | 'warn';
  /** Writes the summary when the window ends with events unreported. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Writes log lines a client can cause at will (a refused connection, a malformed frame)
 * without letting a flood of them become a log flood. Each message is a kind: per window
 * of `intervalMs` at most `linesPerWindow` lines of a kind are written, and the events
 * past that are counted, never lost. The count reaches the log as `unlogged=N`, on the
 * kind's next line, or on a summary line (`unlogged=N summary=true`) as soon as the
 * window in which they were counted is over; {@link flush} writes the pending summaries
 * at once (at shutdown). Under a steady flood that is one summary per window.
 *
 * @example
 * const refusals = new LogLimiter(log);
 * refusals.warn('connection refused: maxConnections reached', { remote });
 */
export class LogLimiter {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #linesPerWindow: number;
  readonly #kinds = new Map<string, Kind>();

  constructor(log: Logger, options: LogLimiterOptions = {}) {
    this.#log = log;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#linesPerWindow = options.linesPerWindow ?? 1;
  }

  warn(message: string, fields: Record<string, unknown>): void {
    this.#event('warn', message, fields);
  }

  info(message: string, fields: Record<string, unknown>): void {
    this.#event('info', message, fields);
  }

  /** Writes every pending count now, one summary line per kind. */
  flush(): void {
    for (const [message, kind] of this.#kinds) this.#summarise(message, kind);
  }

  #event(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    let kind = this.#kinds.get(message);
    if (kind === undefined) {
      kind = { start: now, lines: 0, unlogged: 0, level, timer: undefined };
      this.#kinds.set(message, kind);
    } else if (now - kind.start >= this.#intervalMs) {
      kind.start = now;
      kind.lines = 0;
    }
    if (kind.lines < this.#linesPerWindow) {
      kind.lines += 1;
      const unlogged = kind.unlogged;
      kind.unlogged = 0;
      clearTimeout(kind.timer);
      kind.timer = undefined;
      this.#log[level](message, unlogged > 0 ? { ...fields, unlogged } : fields);
      return;
    }
    kind.unlogged += 1;
    kind.level = level;
    if (kind.timer === undefined) {
      const at = kind;
      kind.timer = setTimeout(
        () => this.#summarise(message, at),
        kind.start + this.#intervalMs - now,
      );
      kind.timer.unref?.();
    }
  }

  /** The window is over with `kind.unlogged` unreported: one line says how many. */
  #summarise(message: string, kind: Kind): void {
    clearTimeout(kind.timer);
    kind.timer = undefined;
    if (kind.unlogged === 0) return;
    this.#log[kind.level](message, { unlogged: kind.unlogged, summary: true });
    kind.unlogged = 0;
    // The summary is this window's first line: a flood that goes on gets one per window.
    kind.start = Date.now();
    kind.lines = this.#linesPerWindow;
  }
}
