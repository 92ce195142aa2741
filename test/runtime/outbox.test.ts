import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Outbox, type OutboxSink } from '../../src/runtime/outbox.js';

function fakeSink(maxBytes = 1000) {
  const sent: Array<[string, string]> = [];
  const state = { ready: true, failNext: false };
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
  };
  return { sink, sent, state };
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
    expect(outbox.size).toBe(0);
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

  it('counts and logs overflow instead of dropping silently', () => {
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

  it('rejects options that make no sense', () => {
    const { sink } = fakeSink();
    expect(() => new Outbox(sink, { rate: 0 })).toThrow(/rate must be a number above 0/);
    expect(() => new Outbox(sink, { limit: -1 })).toThrow(/limit/);
  });
});
