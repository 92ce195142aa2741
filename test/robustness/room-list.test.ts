// Issue 11, item 7: ListRooms floods with 10,000 rooms must not stall other clients.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/codec.js';
import { InMemoryRegistry } from '../../src/server/memory-registry.js';
import type { RawClient } from '../helpers/raw-client.js';
import { serve, T } from '../server/harness.js';
import { bystanders, roundTrip } from './helpers.js';

/** p99 of `n` round trips on `c`, in ms. */
async function p99(c: RawClient, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const asked = performance.now();
    await roundTrip(c);
    times.push(performance.now() - asked);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n * 0.99)]!;
}

describe('ListRooms with 10,000 rooms', () => {
  it("a flood of ListRooms leaves a calm client's p99 near its baseline", async () => {
    const registry = new InMemoryRegistry();
    registry.addUser('filler');
    const limits = { maxRooms: 10_000, maxRoomsPerUser: 10_000, maxMembers: 500 };
    for (let i = 0; i < 10_000; i++) registry.createRoom(`room-${i}`, 'filler', limits);
    registry.removeUser('filler'); // rooms outlive their members
    const h = await serve({ registry, maxRooms: 20_000 });
    const b = await bystanders(h);
    const baseline = await p99(b.sender, 200);
    const flooders = await Promise.all([1, 2, 3, 4].map((i) => h.user(`lister${i}`)));
    for (const f of flooders) await f.hello(['rooms']);
    let floods = 0;
    let stop = false;
    const flood = async (f: RawClient) => {
      const burst = Buffer.concat(Array.from({ length: 5 }, () => encodeFrame(T.ListRooms)));
      while (!stop) {
        f.sendBytes(burst);
        for (let i = 0; i < 5; i++) await f.expect(T.RoomList, 10_000);
        floods += 5;
      }
    };
    const running = flooders.map(flood);
    const underAttack = await p99(b.sender, 200);
    stop = true;
    await Promise.all(running);
    expect(floods).toBeGreaterThan(100);
    // Before: 1.1 ms -> 27.5 ms (every ListRooms listed, sorted and encoded 10,000 rooms),
    // and this test's flood timed out at 15 s. The bound is the issue's: a calm round trip
    // under 50 ms while the attack runs (server, flooders and probe share this process).
    expect(underAttack).toBeLessThan(Math.max(baseline * 5, 50));
  });
});
