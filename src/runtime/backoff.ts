/** Reconnect delays: exponential growth capped at `maxDelay`, with full jitter. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 250. */
  initialDelay?: number;
  /** Largest delay, in ms. Default 30,000. */
  maxDelay?: number;
  /** Source of randomness in [0, 1); inject a fixed one in tests. Default Math.random. */
  random?: () => number;
}

export const DEFAULT_BACKOFF = { initialDelay: 250, maxDelay: 30_000 } as const;

/**
 * Full jitter (a uniform delay between 0 and the current ceiling) spreads the reconnects of
 * many bots after a server restart instead of having them all arrive at once.
 */
export class Backoff {
  readonly initialDelay: number;
  readonly maxDelay: number;
  #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialDelay = Math.max(1, options.initialDelay ?? DEFAULT_BACKOFF.initialDelay);
    this.maxDelay = Math.max(this.initialDelay, options.maxDelay ?? DEFAULT_BACKOFF.maxDelay);
    this.#random = options.random ?? Math.random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call raises the ceiling. */
  next(): number {
    // 2 ** 30 keeps the product finite however long the outage lasts.
    const ceiling = Math.min(this.maxDelay, this.initialDelay * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.floor(this.#random() * ceiling);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
