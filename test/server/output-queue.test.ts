// OutputQueue on its own, over a transport that reports blocked writes at will, on fake
// timers: the write clock runs only while a write waits for 'drain', and the queue listens
// for 'drain' only once a write has been blocked.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutputQueue, type SlowConsumer } from '../../src/server/output-queue.js';
import type { Transport } from '../../src/transport/transport.js';

class BlockingTransport extends EventEmitter {
  destroyed = false;
  writableLength = 0;
  /** What write() answers: false means above the high-water mark. */
  accepts = true;
  writes: Buffer[] = [];
  write(chunk: Buffer): boolean {
    this.writes.push(chunk);
    return this.accepts;
  }
}

function setup(limits = { maxOutputBytes: 1000, writeTimeout: 500 }) {
  const transport = new BlockingTransport();
  const slow: SlowConsumer[] = [];
  const queue = new OutputQueue(transport as unknown as Transport, limits, {
    slowConsumer: (s) => slow.push(s),
  });
  return { transport, slow, queue };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('OutputQueue', () => {
  it('writes a turn in one write and holds no drain listener while writes go through', () => {
    const { transport, queue } = setup();
    queue.push(Buffer.from('ab'));
    queue.push(Buffer.from('cd'));
    queue.flush();
    queue.flush(); // nothing queued: no write
    expect(transport.writes.map(String)).toEqual(['abcd']);
    expect(transport.listenerCount('drain')).toBe(0);
  });

  it('reports a write blocked past writeTimeout, once', () => {
    const { transport, slow, queue } = setup();
    transport.accepts = false;
    queue.push(Buffer.from('x'));
    queue.flush();
    queue.push(Buffer.from('y'));
    queue.flush(); // a second blocked write does not restart the clock
    vi.advanceTimersByTime(499);
    expect(slow).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(slow).toEqual([{ rule: 'write blocked', unsent: 0 }]);
    vi.advanceTimersByTime(10_000);
    expect(slow).toHaveLength(1);
  });

  it("stops the clock on 'drain', and starts it again at the next blocked write", () => {
    const { transport, slow, queue } = setup();
    transport.accepts = false;
    queue.push(Buffer.from('x'));
    queue.flush();
    vi.advanceTimersByTime(400);
    transport.emit('drain');
    vi.advanceTimersByTime(10_000);
    expect(slow).toEqual([]);
    // Blocked again: the clock starts again, the listener is the one already there.
    queue.push(Buffer.from('y'));
    queue.flush();
    expect(transport.listenerCount('drain')).toBe(1);
    vi.advanceTimersByTime(500);
    expect(slow).toEqual([{ rule: 'write blocked', unsent: 0 }]);
  });

  it('clear() drops the queue and stops the clock', () => {
    const { transport, slow, queue } = setup();
    transport.accepts = false;
    queue.push(Buffer.from('x'));
    queue.flush();
    queue.push(Buffer.from('y'));
    queue.clear();
    queue.flush();
    expect(transport.writes.map(String)).toEqual(['x']);
    vi.advanceTimersByTime(10_000);
    expect(slow).toEqual([]);
  });

  it('refuses a frame past maxOutputBytes, counting what the transport still holds', () => {
    const { transport, slow, queue } = setup({ maxOutputBytes: 10, writeTimeout: 500 });
    transport.writableLength = 6;
    expect(queue.push(Buffer.alloc(4))).toBe(true);
    expect(queue.push(Buffer.alloc(1))).toBe(false);
    expect(slow).toEqual([{ rule: 'output cap', unsent: 11 }]);
  });
});
