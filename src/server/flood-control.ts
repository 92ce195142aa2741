/** What {@link FloodControl.throttle} decided. */
export type Throttle =
  /** Stop reading for `wait` ms; `first` when this starts a new throttle episode. */
  | { wait: number; first: boolean }
  /** Throttled for `throttledFor` ms without catching up: disconnect. */
  | { persisted: true; throttledFor: number };

/**
 * Inbound flood control for one connection: a token bucket of frames (`rate` per second,
 * at most `burst` at once) and the clock behind the throttle timeout.
 *
 * A throttle episode starts when the bucket runs dry, and ends once the connection has
 * caught up with everything it had read and then handled a whole new chunk without
 * running dry (or stayed quiet for `burst / rate` seconds, the time the bucket takes to
 * refill). A sender that keeps the socket full never gets there: each read after a pause
 * holds more than the tokens earned, so `timeout` ms into the episode it has persisted. A
 * client that sends one large burst, or waits for each response, is only slowed down.
 *
 * Time is read only per chunk and when the bucket is empty, never per frame.
 *
 * @example
 * const flood = new FloodControl(200, 400, 10_000);
 * if (!flood.take()) {
 *   const t = flood.throttle();
 *   if ('persisted' in t) disconnect();
 *   else pauseFor(t.wait);
 * }
 */
export class FloodControl {
  readonly #rate: number;
  readonly #burst: number;
  readonly #timeout: number;
  readonly #now: () => number;
  /** Tokens to wait for before reading again: about 100 ms worth, so a flood costs ~10 timers/s. */
  readonly #batch: number;
  /** Quiet this long after catching up, the next dry bucket starts a new episode. */
  readonly #gap: number;
  #tokens: number;
  #stamp: number;
  #since: number | undefined;
  #caughtUpAt: number | undefined;

  constructor(rate: number, burst: number, timeout: number, now = (): number => Date.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#timeout = timeout;
    this.#now = now;
    this.#batch = Math.min(burst, Math.max(1, Math.ceil(rate / 10)));
    this.#gap = (burst * 1000) / rate;
    this.#tokens = burst;
    this.#stamp = now();
  }

  /**
   * Adds the tokens earned since the last refill. Called once per chunk received, so the
   * bucket never credits more than `burst` across a long idle spell.
   */
  refill(): void {
    const now = this.#now();
    const earned = ((now - this.#stamp) * this.#rate) / 1000;
    this.#stamp = now;
    if (earned > 0) this.#tokens = Math.min(this.#burst, this.#tokens + earned);
  }

  /** Takes one frame's token; false when the bucket is empty and the caller must throttle. */
  take(): boolean {
    if (this.#tokens < 1) {
      this.refill();
      if (this.#tokens < 1) return false;
    }
    this.#tokens -= 1;
    return true;
  }

  /** The bucket is empty: how long to stop reading, or whether the flood has persisted. */
  throttle(): Throttle {
    const now = this.#now();
    let first = false;
    if (
      this.#since === undefined ||
      (this.#caughtUpAt !== undefined && now - this.#caughtUpAt >= this.#gap)
    ) {
      this.#since = now;
      first = true;
    }
    this.#caughtUpAt = undefined;
    const throttledFor = now - this.#since;
    if (throttledFor >= this.#timeout) return { persisted: true, throttledFor };
    this.refill();
    const wait = Math.ceil(((this.#batch - this.#tokens) * 1000) / this.#rate);
    return { wait: Math.max(1, wait), first };
  }

  /** The connection has handled everything it had read; the episode may be ending. */
  caughtUp(): void {
    if (this.#since !== undefined) this.#caughtUpAt = this.#now();
  }

  /** A chunk was handled whole without running dry: after a catch-up, the episode is over. */
  chunkDone(): void {
    if (this.#caughtUpAt !== undefined) {
      this.#since = undefined;
      this.#caughtUpAt = undefined;
    }
  }
}
