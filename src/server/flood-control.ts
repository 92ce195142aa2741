/** What {@link FloodControl.throttle} decided. */
export type Throttle =
  /** Stop reading for `wait` ms; `first` when this starts a new throttle episode. */
  | { wait: number; first: boolean }
  /** Throttled for `throttledFor` ms without catching up: disconnect. */
  | { persisted: true; throttledFor: number };

const wallClock = (): number => Date.now();

/**
 * What every connection of a server shares about flood control: the limits, the clock and
 * the figures derived from them. One per server, so a connection's {@link FloodControl}
 * holds only its own bucket and episode.
 */
export class FloodPolicy {
  /** Tokens to wait for before reading again: about 100 ms worth, so a flood costs ~10 timers/s. */
  readonly batch: number;
  /** Quiet this long after catching up, the next dry bucket starts a new episode. */
  readonly gap: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly timeout: number,
    readonly now: () => number = wallClock,
  ) {
    this.batch = Math.min(burst, Math.max(1, Math.ceil(rate / 10)));
    this.gap = (burst * 1000) / rate;
  }
}

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
 * const policy = new FloodPolicy(200, 400, 10_000); // one per server
 * const flood = new FloodControl(policy); // one per connection
 * if (!flood.take()) {
 *   const t = flood.throttle();
 *   if ('persisted' in t) disconnect();
 *   else pauseFor(t.wait);
 * }
 */
export class FloodControl {
  readonly #policy: FloodPolicy;
  #tokens: number;
  #stamp: number;
  #since: number | undefined;
  #caughtUpAt: number | undefined;

  constructor(policy: FloodPolicy) {
    this.#policy = policy;
    this.#tokens = policy.burst;
    this.#stamp = policy.now();
  }

  /**
   * Adds the tokens earned since the last refill. Called once per chunk received, so the
   * bucket never credits more than `burst` across a long idle spell.
   */
  refill(): void {
    const { now, rate, burst } = this.#policy;
    const at = now();
    const earned = ((at - this.#stamp) * rate) / 1000;
    this.#stamp = at;
    if (earned > 0) this.#tokens = Math.min(burst, this.#tokens + earned);
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
    const policy = this.#policy;
    const now = policy.now();
    let first = false;
    if (
      this.#since === undefined ||
      (this.#caughtUpAt !== undefined && now - this.#caughtUpAt >= policy.gap)
    ) {
      this.#since = now;
      first = true;
    }
    this.#caughtUpAt = undefined;
    const throttledFor = now - this.#since;
    if (throttledFor >= policy.timeout) return { persisted: true, throttledFor };
    this.refill();
    const wait = Math.ceil(((policy.batch - this.#tokens) * 1000) / policy.rate);
    return { wait: Math.max(1, wait), first };
  }

  /** The connection has handled everything it had read; the episode may be ending. */
  caughtUp(): void {
    if (this.#since !== undefined) this.#caughtUpAt = this.#policy.now();
  }

  /** A chunk was handled whole without running dry: after a catch-up, the episode is over. */
  chunkDone(): void {
    if (this.#caughtUpAt !== undefined) {
      this.#since = undefined;
      this.#caughtUpAt = undefined;
    }
  }
}
