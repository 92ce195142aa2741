// Issue 11, item 3: a small Data relayed to members who never read must not keep alive
// the whole chunk it arrived in. Attackers write a 100-byte Data and a 65,000-byte frame
// the server ignores in one write, again and again; what the victims' queues hold must
// stay within twice the sum of their output caps.
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { ServerProcess } from '../helpers/server-process.js';
import { dataPayload, T } from '../server/harness.js';
import { roundTrip } from './helpers.js';

const children: ServerProcess[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(children.splice(0).map((c) => c.stop()));
});

/** A type no MPCRP version defines: the server skips its payload. */
const IGNORED = 0x70;

function frame(type: number, payload: Buffer): Buffer {
  const n = payload.length;
  return Buffer.concat([Buffer.from([type, n >> 16, (n >> 8) & 0xff, n & 0xff]), payload]);
}

describe('small relayed frames in large chunks', () => {
  it('RSS stays within 2x the victims’ output caps while their queues fill with them', async () => {
    const pairs = 3;
    // Above the 12 MB prefill below, which is itself well above what the kernel's socket
    // buffers take for a reader that never reads (~4 MB here: a send buffer that grows to
    // tcp_wmem's 4 MiB, a receive window that does not), so the server is queueing for
    // each victim when the attack starts.
    const outputCap = 16 * 1024 * 1024;
    const server = await ServerProcess.start(
      { maxOutputBytes: outputCap, frameRate: 1_000_000, frameBurst: 1_000_000 },
      ['--max-semi-space-size=1'],
    );
    children.push(server);
    const connect = async (name: string) => {
      const c = await RawClient.connect(server.port);
      clients.push(c);
      return c.register(name);
    };
    const attackers: RawClient[] = [];
    for (let i = 0; i < pairs; i++) {
      const room = `r${i}`;
      const attacker = await connect(`a${i}`);
      expect(await attacker.command(T.CreateRoom, room)).toBe(`${room}:0`);
      const victim = await connect(`v${i}`);
      expect(await victim.command(T.JoinRoom, room)).toBe(`${room}:0`);
      victim.socket.pause();
      attackers.push(attacker);
    }

    // Fill the kernel's buffers towards each victim with ordinary large messages.
    await Promise.all(
      attackers.map(async (a, i) => {
        const one = frame(T.Data, dataPayload(`r${i}`, 'x'.repeat(60_000)));
        for (let k = 0; k < 12 * 1024 * 1024; k += one.length) a.sendBytes(one);
        await roundTrip(a);
      }),
    );
    const before = await server.rss();

    // The attack: 1,000 writes per attacker, each a 100-byte Data and 65,000 ignored bytes,
    // and a round trip after each, so the server relays every Data alone: queued as it is
    // (several relayed in one turn are written as one copy, which hid the problem).
    const writes = 1_000;
    await Promise.all(
      attackers.map(async (a, i) => {
        const write = Buffer.concat([
          frame(T.Data, dataPayload(`r${i}`, 'y'.repeat(100))),
          frame(IGNORED, Buffer.alloc(65_000)),
        ]);
        for (let k = 0; k < writes; k++) {
          a.sendBytes(write);
          await roundTrip(a);
        }
      }),
    );
    const grown = (await server.rss()) - before;
    // No victim went over its cap and was dropped (a paused socket would not see its own
    // close, so ask the server's log): all of it is still queued.
    expect((await server.logs()).filter((line) => /connection closed/.test(line))).toEqual([]);
    // Before: each queued 100-byte view pinned its 65 KB chunk: +260 MB of RSS for 4 pairs
    // (the run: +570 MB for 10 pairs against 10 MiB of caps).
    // After: a lone small view is copied out of its chunk before it is written; under 1 MB.
    expect(grown).toBeLessThanOrEqual(2 * pairs * outputCap);
    expect(grown).toBeLessThan(pairs * writes * 65_000 * 0.25);
  });
});
