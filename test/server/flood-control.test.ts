// FloodControl on its own, on a hand-driven clock: the bucket, the wait it asks for, and
// which senders count as a persistent flood. The socket side is in test/robustness.
import { describe, expect, it } from 'vitest';
import { FloodControl, FloodPolicy, type Throttle } from '../../src/server/flood-control.js';

function clocked(rate: number, burst: number, timeout: number) {
  const clock = { now: 1_000_000 };
  const flood = new FloodControl(new FloodPolicy(rate, burst, timeout, () => clock.now));
  return { clock, flood };
}

/** Takes tokens until the bucket is dry; returns how many were taken. */
function takeAll(flood: FloodControl, max = 1_000_000): number {
  let n = 0;
  while (n < max && flood.take()) n++;
  return n;
}

function waitOf(t: Throttle): number {
  if ('persisted' in t) throw new Error(`persisted after ${t.throttledFor} ms`);
  return t.wait;
}

describe('FloodControl', () => {
  it('grants the burst at once, then the rate', () => {
    const { clock, flood } = clocked(200, 400, 10_000);
    expect(takeAll(flood)).toBe(400);
    clock.now += 50;
    expect(takeAll(flood)).toBe(10);
    clock.now += 60_000; // a long idle spell earns one burst, not more
    flood.refill();
    expect(takeAll(flood)).toBe(400);
  });

  it('asks to pause about 100 ms worth of tokens, at least 1 ms', () => {
    const { flood } = clocked(200, 400, 10_000);
    takeAll(flood);
    expect(flood.throttle()).toEqual({ wait: 100, first: true });
    const tiny = clocked(10, 1, 10_000).flood;
    takeAll(tiny);
    expect(waitOf(tiny.throttle())).toBe(100);
    const fast = clocked(1_000_000, 5, 10_000).flood;
    takeAll(fast);
    expect(waitOf(fast.throttle())).toBe(1);
  });

  it('a sender that keeps the socket full persists past the timeout, in one episode', () => {
    const { clock, flood } = clocked(200, 400, 10_000);
    const started = clock.now;
    let firsts = 0;
    let t: Throttle;
    for (;;) {
      takeAll(flood);
      t = flood.throttle();
      if ('persisted' in t) break;
      if (t.first) firsts++;
      clock.now += t.wait;
      // Each resume catches up with the chunk, but the next read is throttled mid-chunk.
      flood.caughtUp();
    }
    expect(firsts).toBe(1);
    expect(t.throttledFor).toBeGreaterThanOrEqual(10_000);
    expect(clock.now - started).toBeLessThan(10_200);
  });

  it('one large burst handled within the timeout, then quiet: slowed down, not dropped', () => {
    const { clock, flood } = clocked(200, 400, 4_000);
    let left = 1_000; // 600 past the burst: 3 s at the rate
    left -= takeAll(flood, left);
    let t = flood.throttle();
    expect(t).toMatchObject({ first: true });
    while (left > 0) {
      clock.now += waitOf(t);
      left -= takeAll(flood, left);
      if (left > 0) t = flood.throttle();
    }
    flood.caughtUp();
    // Its next message is handled whole: the episode is over.
    clock.now += 10;
    flood.refill();
    expect(flood.take()).toBe(true);
    flood.chunkDone();
    clock.now += 5_000;
    takeAll(flood);
    expect(flood.throttle()).toMatchObject({ first: true });
  });

  it('a client that waits for each response is rate limited but never dropped', () => {
    const { clock, flood } = clocked(200, 400, 1_000);
    let handled = 0;
    for (let i = 0; i < 10_000; i++) {
      clock.now += 0.1; // one round trip on loopback
      flood.refill();
      if (!flood.take()) {
        clock.now += waitOf(flood.throttle());
        expect(flood.take()).toBe(true);
        flood.caughtUp();
      } else {
        flood.chunkDone();
      }
      handled++;
    }
    expect(handled).toBe(10_000);
  });

  it('quiet for the refill time after catching up starts a new episode', () => {
    const { clock, flood } = clocked(100, 50, 1_000);
    takeAll(flood);
    clock.now += waitOf(flood.throttle());
    flood.caughtUp();
    clock.now += 499; // the bucket refills in 500 ms
    takeAll(flood);
    expect(flood.throttle()).toMatchObject({ first: false });
    flood.caughtUp();
    clock.now += 500;
    takeAll(flood);
    expect(flood.throttle()).toMatchObject({ first: true });
  });
});
