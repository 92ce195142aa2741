import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { dataFrame, frame, RawConn } from '../../bench/lib/raw-conn.js';
import { Histogram, median } from '../../bench/lib/stats.js';
import { headerWalk, headerWalkWithViews } from '../../bench/yardsticks/header-walk.js';
import { startMinimalRelay } from '../../bench/yardsticks/minimal-relay.js';
import { FrameDecoder } from '../../src/protocol/index.js';

/** Cuts `bytes` at the given positions into fresh chunks, as a socket might deliver them. */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    if (at > from) chunks.push(Buffer.from(bytes.subarray(from, at)));
    from = at;
  }
  return chunks;
}

describe('header walk yardstick', () => {
  it('finds the same frames as FrameDecoder however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 300 })), {
          maxLength: 40,
        }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(([t, n]) => frame(t, Buffer.alloc(n, 7))));
          const chunks = cut(bytes, cuts);
          const decoder = new FrameDecoder();
          let count = 0;
          let payload = 0;
          for (const c of chunks) {
            for (const f of decoder.push(c)) {
              count++;
              payload += f.payload.length;
            }
          }
          expect(headerWalk(chunks)).toEqual({ frames: count, payloadBytes: payload });
          expect(headerWalkWithViews(chunks)).toBeLessThanOrEqual(count);
          if (chunks.length === 1) expect(headerWalkWithViews(chunks)).toBe(count);
          expect(count).toBe(frames.length);
        },
      ),
    );
  });
});

describe('minimal relay yardstick', () => {
  let close: (() => void) | undefined;
  const conns: RawConn[] = [];
  afterEach(() => {
    for (const c of conns.splice(0)) c.close();
    close?.();
  });

  it('relays Data to every other member, never back to the sender', async () => {
    const relay = await startMinimalRelay();
    close = relay.close;
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => RawConn.open(relay.port)));
    conns.push(a!, b!, c!);
    expect(await a!.command(1, 'alice')).toBe('0');
    expect(await b!.command(1, 'bob')).toBe('0');
    expect(await c!.command(1, 'carol')).toBe('0');
    expect(await a!.command(3, 'lobby')).toBe('lobby:0');
    expect(await b!.command(5, 'lobby')).toBe('lobby:0');
    expect(await c!.command(5, 'lobby')).toBe('lobby:0');
    expect(await c!.command(5, 'nowhere')).toBe('nowhere:1');

    const texts: string[] = [];
    const both = new Promise<void>((resolve) => {
      const got = (buf: Buffer, at: number, end: number) => {
        texts.push(buf.toString('utf8', at + 1 + buf[at]!, end));
        if (texts.length === 4) resolve();
      };
      b!.onData = got;
      c!.onData = got;
    });
    // Two frames, the second split across writes, to exercise both sides' reassembly.
    const second = dataFrame('lobby', Buffer.from('second message'));
    a!.write(Buffer.concat([dataFrame('lobby', Buffer.from('first')), second.subarray(0, 3)]));
    a!.write(second.subarray(3));
    await both;
    expect(texts.sort()).toEqual(['first', 'first', 'second message', 'second message']);
    // Answers come in order: had alice been sent her own Data, it would be in before this.
    expect(await a!.command(5, 'lobby')).toBe('lobby:0');
    expect(a!.received).toBe(0);
  });
});

describe('bench statistics', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('histogram quantiles and exact maximum', () => {
    const h = new Histogram(1000);
    for (let us = 1; us <= 100; us++) h.record(us);
    h.record(5000.5);
    expect(h.quantile(0.5)).toBe(51);
    expect(h.quantile(0.99)).toBe(100);
    expect(h.max).toBe(5000.5);
    expect(h.count).toBe(101);
  });
});
