// Issue 11, items 4 and 6: a client's faults cannot flood the log, every suppressed line
// is counted, and a connection that keeps sending malformed frames is closed.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/codec.js';
import { serve, T } from '../server/harness.js';
import { bystanders, logged, stillServing } from './helpers.js';

const MALFORMED = 'malformed Data dropped: room length runs past the payload';

describe('malformed frames', () => {
  it('from 10 connections: a few lines, all counted; each sender closed after maxMalformedFrames', async () => {
    const h = await serve({ maxMalformedFrames: 16 });
    const b = await bystanders(h);
    const senders = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.member(`bad${i}`, 'ok')),
    );
    // Before: one WARN per frame (4,075 lines/s from 20 connections), nobody dropped.
    const bad = encodeFrame(T.Data, Buffer.from([200, 0x6f, 0x6b]));
    for (const c of senders) c.sendBytes(Buffer.concat(Array.from({ length: 30 }, () => bad)));
    await Promise.all(senders.map((c) => c.closed));
    expect(logged(h, 'too many malformed frames, closing', 'maxMalformedFrames=16')).toHaveLength(
      10,
    );
    await stillServing(h, b);
    await h.running.close(); // writes the pending summary
    const lines = logged(h, MALFORMED);
    expect(lines.length).toBeLessThanOrEqual(3 + 2);
    // 17 frames each were read before the close (the 17th closes it): all counted.
    const counted = lines.reduce((n, l) => n + Number(/unlogged=(\d+)/.exec(l)?.[1] ?? 1), 0);
    expect(counted).toBe(10 * 17);
  });
});
