// Issue 11, items 1-2: frames trickled one byte per TCP segment. Assembling one costs
// linear time and the frame's own memory; completing many stalls no one; a half frame
// left hanging is closed after frameTimeout.
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { HEADER_SIZE as HEADER } from '../../src/protocol/types.js';
import { RawClient } from '../helpers/raw-client.js';
import { ServerProcess } from '../helpers/server-process.js';
import { serve, T } from '../server/harness.js';
import { bystanders, logged, stillServing } from './helpers.js';

const children: ServerProcess[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(children.splice(0).map((c) => c.stop()));
});

/** Milliseconds to decode one frame fed as one-byte chunks (one read each), best of 5. */
function assembly(chunks: number): number {
  const header = Buffer.from([T.Data, (chunks >> 16) & 0xff, (chunks >> 8) & 0xff, chunks & 0xff]);
  const one = Buffer.from([0x61]);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const decoder = new FrameDecoder({ maxPayload: 1 << 20 });
    const started = performance.now();
    // The length of each frame read, taken while it is the decoder's current frame.
    const frames: number[] = [];
    for (let i = 0; i < HEADER; i++) {
      decoder.write(header.subarray(i, i + 1));
      while (decoder.next()) frames.push(decoder.end - decoder.start);
    }
    for (let i = 0; i < chunks; i++) {
      decoder.write(one);
      while (decoder.next()) frames.push(decoder.end - decoder.start);
    }
    best = Math.min(best, performance.now() - started);
    expect(frames).toEqual([chunks]);
  }
  return best;
}

/** Sends a Data header announcing `length` bytes, then `bytes` of them, one per write. */
async function trickle(c: RawClient, length: number, bytes: number): Promise<void> {
  c.sendBytes(Buffer.from([T.Data, length >> 16, (length >> 8) & 0xff, length & 0xff]));
  // One write (one TCP segment, no Nagle) per byte; yielding now and then lets the
  // server read them as they come, a few bytes per read.
  const one = Buffer.from([0x61]);
  for (let i = 0; i < bytes; i++) {
    c.sendBytes(one);
    if (i % 64 === 63) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await c.sendFlushed(Buffer.alloc(0));
}

describe('trickled frames', () => {
  it('a frame of 64k one-byte chunks assembles in linear time (8x the chunks, not 64x the time)', () => {
    assembly(8192); // warm-up
    const small = assembly(8192);
    const large = assembly(65_536);
    // Before: 8k chunks 8 ms, 64k chunks 160 ms (a shift() per chunk: quadratic).
    // After: about 0.3 and 2 ms.
    expect(large).toBeLessThan(Math.max(small, 0.5) * 24);
  });

  it('a registered connection trickling a 64 KiB frame costs at most 2x maxPayload of RSS; completing them stalls no one', async () => {
    // A young generation capped at 1 MB: its growth under any read load is not memory
    // per connection, and would drown the figure.
    const server = await ServerProcess.start({}, ['--max-semi-space-size=1']);
    children.push(server);
    const n = 16;
    const bytes = 8_192;
    const connect = async (name: string) => {
      const c = await RawClient.connect(server.port);
      clients.push(c);
      return c.register(name);
    };
    const tricklers = await Promise.all(Array.from({ length: n }, (_, i) => connect(`t${i}`)));
    const calm = await connect('calm');
    // The same reads once with frames that complete, so what the reads themselves leave
    // behind (allocator, heap) is in the baseline and only what a half frame holds is counted.
    await Promise.all(tricklers.map((c) => trickle(c, bytes, bytes)));
    const before = await server.rss();
    await Promise.all(tricklers.map((c) => trickle(c, 65_536, bytes)));
    const perConnection = ((await server.rss()) - before) / n;
    // Before: 1.5-4 MB per connection here (~25 MB for a whole frame): a Buffer per chunk.
    // After: about 64 KiB, the frame's own buffer.
    expect(perConnection).toBeLessThanOrEqual(2 * 65_536);
    // Every frame gets its last bytes at once, while the calm client asks the server.
    for (const c of tricklers) c.sendBytes(Buffer.alloc(65_536 - bytes, 0x61));
    const asked = performance.now();
    await calm.expectNothing();
    // Before: 216-353 ms here (15 s in the run).
    expect(performance.now() - asked).toBeLessThan(50);
    await Promise.all(tricklers.map((c) => c.expectNothing()));
  });

  it('frameTimeout closes a connection sitting on half a frame, registered or not', async () => {
    const h = await serve({ frameTimeout: 300, registrationTimeout: 60_000 });
    const b = await bystanders(h);
    const registered = await h.user('half');
    const anonymous = await h.connect();
    const started = performance.now();
    registered.sendBytes(Buffer.from([T.Data, 0x01, 0x00, 0x00, 0x02, 0x6f]));
    anonymous.sendBytes(Buffer.from([T.SetUserName, 0x00])); // half a header
    await Promise.all([registered.closed, anonymous.closed]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const lines = logged(h, 'frame timeout: a frame stayed incomplete past frameTimeout, closing');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/user=half buffered=6 frameTimeout=300/);
    await stillServing(h, b);
  });

  it('whole frames, however far apart, and a split frame completed in time are not timed out', async () => {
    const h = await serve({ frameTimeout: 300 });
    const b = await bystanders(h);
    const steady = await h.member('steady', 'ok');
    // Half a frame, completed well within frameTimeout.
    steady.sendBytes(Buffer.from([T.GetUserList, 0x00, 0x00]));
    await b.sender.expectNothing();
    steady.sendBytes(Buffer.from([0x02, 0x6f, 0x6b]));
    expect(await steady.expectText(T.GetUserListResponse)).toBe('ok:["ok1","ok2","steady"]');
    // Then only whole frames, for longer than frameTimeout: the clock never runs.
    const started = performance.now();
    while (performance.now() - started < 600) await steady.expectNothing();
    expect(steady.isClosed).toBe(false);
    expect(logged(h, 'frame timeout')).toHaveLength(0);
    await steady.close();
    await stillServing(h, b);
  });
});
