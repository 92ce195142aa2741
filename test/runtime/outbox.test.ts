import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionClosedError, TimeoutError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { Outbox, type OutboxSink } from '../../src/runtime/outbox.js';

function fakeSink(maxBytes = 1000) {
  const sent: Array<[string, string]> = [];
  const state = { ready: true, failNext: false, holdConfirms: false };
  /** Barriers asked for while `holdConfirms`: the test answers them (in order, as a server). */
  const barriers: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let confirms = 0;
  const sink: OutboxSink = {
    ready: () => state.ready,
    send: (room, text) => {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('connection gone');
      }
      sent.push([room, text]);
    },
    maxTextBytes: () => maxBytes,
    confirm: () => {
      confirms += 1;
      if (!state.holdConfirms) return Promise.resolve();
      return new Promise((resolve, reject) => barriers.push({ resolve, reject }));
    },
  };
  return { sink, sent, state, barriers, confirms: () => confirms };
}

function captureLog() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

describe('Outbox', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a burst at once, then one message per 1/rate seconds, in order', () => {
    const { sink, sent } = fakeSink();
    const outbox = new Outbox(sink, { rate: 5, burst: 10 });
    for (let i = 0; i < 15; i += 1) outbox.push('lobby', `m${i}`);
    expect(sent.map(([, t]) => t)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    vi.advanceTimersByTime(199);
    expect(sent).toHaveLength(10);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(11);
    vi.advanceTimersByTime(800);
    expect(sent.map(([, t]) => t)).toEqual(Array.from({ length: 15 }, (_, i) => `m${i}`));
  });

  it('limits each room on its own', () => {
    const { sink, sent } = fakeSink();
    const outbox = new Outbox(sink, { rate: 1, burst: 2 });
    for (const room of ['a', 'b']) for (let i = 0; i < 3; i += 1) outbox.push(room, `${room}${i}`);
    expect(sent.map(([, t]) => t)).toEqual(['a0', 'a1', 'b0', 'b1']);
    vi.advanceTimersByTime(1000);
    expect(sent.map(([, t]) => t)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2', 'b2']);
  });

  it('splits text longer than one frame and keeps the pieces in order', () => {
    const { sink, sent } = fakeSink(10);
    const outbox = new Outbox(sink);
    outbox.push('lobby', 'line one\nline two and more');
    expect(sent.map(([, t]) => t)).toEqual(['line one', 'line two', 'and more']);
    for (const [, t] of sent) expect(Buffer.byteLength(t)).toBeLessThanOrEqual(10);
  });

  it('holds messages while not ready and delivers them in order on wake()', () => {
    const { sink, sent, state } = fakeSink();
    state.ready = false;
    const outbox = new Outbox(sink);
    outbox.push('lobby', 'one');
    outbox.push('lobby', 'two');
    expect(sent).toEqual([]);
    expect(outbox.size).toBe(2);
    state.ready = true;
    outbox.wake();
    expect(sent).toEqual([
      ['lobby', 'one'],
      ['lobby', 'two'],
    ]);
  });

  it('keeps a message whose send throws and retries it on wake()', () => {
    const { sink, sent, state } = fakeSink();
    const outbox = new Outbox(sink);
    state.failNext = true;
    outbox.push('lobby', 'one');
    expect(sent).toEqual([]);
    outbox.wake();
    expect(sent).toEqual([['lobby', 'one']]);
  });

  it('counts and logs overflow instead of dropping silently', async () => {
    const { sink, sent, state } = fakeSink();
    const { lines, logger } = captureLog();
    state.ready = false;
    const outbox = new Outbox(sink, { limit: 3 }, { logger });
    const accepted = ['a', 'b', 'c', 'd', 'e'].map((t) => outbox.push('lobby', t));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(outbox.stats).toMatchObject({ queued: 3, overflowed: 2 });
    expect(lines.filter((l) => l.includes('WARN') && l.includes('outbox is full'))).toHaveLength(1);
    state.ready = true;
    outbox.wake();
    expect(sent.map(([, t]) => t)).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(0); // the server's confirmation frees the space
    expect(lines.some((l) => l.includes('has room again') && l.includes('overflowed=2'))).toBe(
      true,
    );
  });

  it('skips and logs a message delivered after its notAfter', () => {
    const { sink, sent, state } = fakeSink();
    const { lines, logger } = captureLog();
    state.ready = false;
    const outbox = new Outbox(sink, {}, { logger });
    outbox.push('lobby', 'stale', { notAfter: Date.now() + 1000 });
    outbox.push('lobby', 'fresh', { notAfter: Date.now() + 5000 });
    outbox.push('lobby', 'any time');
    vi.advanceTimersByTime(2000);
    state.ready = true;
    outbox.wake();
    expect(sent.map(([, t]) => t)).toEqual(['fresh', 'any time']);
    expect(outbox.stats.expired).toBe(1);
    expect(lines.some((l) => l.includes('past its deadline'))).toBe(true);
  });

  it('makes room for new messages by dropping expired ones first', () => {
    const { sink, state } = fakeSink();
    state.ready = false;
    const outbox = new Outbox(sink, { limit: 1 });
    outbox.push('lobby', 'stale', { notAfter: Date.now() + 10 });
    vi.advanceTimersByTime(20);
    expect(outbox.push('lobby', 'new')).toBe(true);
    expect(outbox.stats).toMatchObject({ queued: 1, expired: 1, overflowed: 0 });
  });

  it('discard() drops a room and says how much', () => {
    const { sink, state } = fakeSink();
    const { lines, logger } = captureLog();
    state.ready = false;
    const outbox = new Outbox(sink, {}, { logger });
    outbox.push('gone', 'x');
    outbox.push('kept', 'y');
    expect(outbox.discard('gone', 'destroyed')).toBe(1);
    expect(outbox.size).toBe(1);
    expect(lines.some((l) => l.includes('room=gone') && l.includes('count=1'))).toBe(true);
  });

  it('idle() resolves once the queue is empty; drain() gives up after its timeout', async () => {
    const { sink, state } = fakeSink();
    const outbox = new Outbox(sink, { rate: 10, burst: 1 });
    outbox.push('lobby', 'a');
    outbox.push('lobby', 'b');
    let idle = false;
    void outbox.idle().then(() => {
      idle = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(idle).toBe(true);
    state.ready = false;
    outbox.push('lobby', 'c');
    const drained = outbox.drain(500);
    await vi.advanceTimersByTimeAsync(500);
    await expect(drained).resolves.toBe(false);
  });

  it('holds written frames until the server confirms them, one barrier per batch', async () => {
    const { sink, sent, state, barriers, confirms } = fakeSink();
    state.holdConfirms = true;
    const outbox = new Outbox(sink, { rate: 1000, burst: 3 });
    for (const t of ['a', 'b', 'c']) outbox.push('lobby', t);
    expect(sent).toHaveLength(3);
    expect(outbox.stats).toMatchObject({ queued: 0, unconfirmed: 3, sent: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(confirms()).toBe(1); // one round trip for the turn's three frames
    // More frames while that barrier is out wait for the next one, not one each.
    for (const t of ['d', 'e']) outbox.push('lobby', t);
    await vi.advanceTimersByTimeAsync(10);
    expect(confirms()).toBe(1);
    let idle = false;
    void outbox.idle().then(() => {
      idle = true;
    });
    barriers.shift()!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.stats).toMatchObject({ unconfirmed: 2, sent: 3 });
    expect(confirms()).toBe(2);
    expect(idle).toBe(false);
    barriers.shift()!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.stats).toMatchObject({ queued: 0, unconfirmed: 0, sent: 5, resent: 0 });
    expect(idle).toBe(true);
  });

  it('resends what a lost connection did not confirm, first and in order, counted and logged', async () => {
    const { sink, sent, state, barriers } = fakeSink();
    const { lines, logger } = captureLog();
    state.holdConfirms = true;
    const outbox = new Outbox(sink, { rate: 1000, burst: 10 }, { logger });
    for (const t of ['a1', 'a2']) outbox.push('a', t);
    outbox.push('b', 'b1');
    await vi.advanceTimersByTimeAsync(0);
    barriers.shift()!.resolve(); // a1 a2 b1 confirmed
    await vi.advanceTimersByTimeAsync(0);
    outbox.push('a', 'a3');
    outbox.push('b', 'b2');
    await vi.advanceTimersByTimeAsync(0);
    // The connection dies with a3 and b2 written but unconfirmed.
    state.ready = false;
    barriers.shift()!.reject(new ConnectionClosedError());
    outbox.connectionLost();
    outbox.push('a', 'a4');
    expect(outbox.stats).toMatchObject({ queued: 3, unconfirmed: 0, sent: 3 });
    expect(lines.some((l) => l.includes('possible duplicates') && l.includes('count=2'))).toBe(
      true,
    );
    sent.length = 0;
    state.ready = true;
    state.holdConfirms = false;
    outbox.wake();
    expect(sent).toEqual([
      ['a', 'a3'],
      ['a', 'a4'],
      ['b', 'b2'],
    ]);
    await outbox.idle();
    expect(outbox.stats).toMatchObject({ queued: 0, unconfirmed: 0, sent: 6, resent: 2 });
  });

  it('a barrier answered after the connection was lost confirms nothing', async () => {
    const { sink, state, barriers } = fakeSink();
    state.holdConfirms = true;
    const outbox = new Outbox(sink);
    outbox.push('lobby', 'x');
    await vi.advanceTimersByTimeAsync(0);
    state.ready = false;
    outbox.connectionLost();
    barriers.shift()!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.stats).toMatchObject({ queued: 1, unconfirmed: 0, sent: 0 });
  });

  it('asks again when the server is too slow to confirm', async () => {
    const { sink, state, barriers, confirms } = fakeSink();
    const { lines, logger } = captureLog();
    state.holdConfirms = true;
    const outbox = new Outbox(sink, {}, { logger });
    outbox.push('lobby', 'x');
    await vi.advanceTimersByTimeAsync(0);
    barriers.shift()!.reject(new TimeoutError('ping', 10_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(confirms()).toBe(2);
    expect(lines.some((l) => l.includes('did not confirm in time'))).toBe(true);
    barriers.shift()!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.stats).toMatchObject({ unconfirmed: 0, sent: 1 });
  });

  it('discard() also drops what is unconfirmed for the room', async () => {
    const { sink, state } = fakeSink();
    state.holdConfirms = true;
    const outbox = new Outbox(sink);
    outbox.push('gone', 'x');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.discard('gone', 'destroyed')).toBe(1);
    expect(outbox.size).toBe(0);
    outbox.connectionLost();
    expect(outbox.size).toBe(0);
    await outbox.idle();
  });

  it('rejects options that make no sense', () => {
    const { sink } = fakeSink();
    expect(() => new Outbox(sink, { rate: 0 })).toThrow(/rate must be a number above 0/);
    expect(() => new Outbox(sink, { limit: -1 })).toThrow(/limit/);
  });
});
