import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/runtime/backoff.js';

describe('Backoff', () => {
  it('doubles the ceiling up to maxDelay, with full jitter', () => {
    const top = new Backoff({ initialDelay: 250, maxDelay: 2000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map(() => top.next())).toEqual([249, 499, 999, 1999, 1999]);
    const bottom = new Backoff({ random: () => 0 });
    expect(bottom.next()).toBe(0);
    const half = new Backoff({ initialDelay: 100, random: () => 0.5 });
    expect([half.next(), half.next()]).toEqual([50, 100]);
    half.reset();
    expect(half.next()).toBe(50);
  });

  it('stays finite however long the outage', () => {
    const b = new Backoff({ random: () => 0.5 });
    for (let i = 0; i < 2000; i += 1) b.next();
    expect(b.next()).toBe(15_000);
  });
});
