export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Latency histogram in whole microseconds up to `limitUs`, plus the exact maximum: a
 * fixed array, so recording a sample costs no allocation however long the run.
 */
export class Histogram {
  readonly #counts: Uint32Array;
  count = 0;
  max = 0;

  constructor(limitUs = 1_000_000) {
    this.#counts = new Uint32Array(limitUs + 1);
  }

  record(us: number): void {
    const i = us < 0 ? 0 : Math.min(Math.round(us), this.#counts.length - 1);
    this.#counts[i]!++;
    this.count++;
    if (us > this.max) this.max = us;
  }

  /** The smallest value (µs) with at least `q` of the samples at or below it. */
  quantile(q: number): number {
    const want = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= want) return i;
    }
    return this.max;
  }
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns calls per second. */
export function ratePerSecond(fn: () => void, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    calls++;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}
