import type { Logger } from '../log.js';

/**
 * Logs refused connections without letting a connection flood become a log flood: the
 * first refusal of a kind is logged, then at most one line of that kind per `intervalMs`,
 * carrying how many refusals went unlogged since the previous line (`unlogged`).
 */
export class RefusalLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #kinds = new Map<string, { at: number; unlogged: number }>();

  constructor(log: Logger, intervalMs = 1000, now = (): number => Date.now()) {
    this.#log = log;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** One refusal; `message` is its kind. */
  refused(message: string, fields: Record<string, unknown>): void {
    const now = this.#now();
    const kind = this.#kinds.get(message);
    if (kind !== undefined && now - kind.at < this.#intervalMs) {
      kind.unlogged += 1;
      return;
    }
    const unlogged = kind?.unlogged ?? 0;
    this.#kinds.set(message, { at: now, unlogged: 0 });
    this.#log.warn(message, unlogged > 0 ? { ...fields, unlogged } : fields);
  }
}
