// A slow subscriber on one node is that node's slow consumer, dropped there; the other
// node, and everyone else on its own node, get every message.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MessageType as T } from '../../src/protocol/types.js';
import type { RawClient } from '../helpers/raw-client.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { startNodes } from './nodes.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

async function receiveAll(c: RawClient, count: number): Promise<number> {
  let got = 0;
  while (got < count) {
    await c.nextOfType(T.Data, 10_000);
    got += 1;
  }
  return got;
}

it('a subscriber that stops reading on one node slows neither that node nor the other', async () => {
  const limits = { frameRate: 1_000_000, frameBurst: 1_000_000, writeTimeout: 10_000 };
  const [a, b] = await startNodes(redis.url, 2, {}, limits);
  const alice = await a!.client('alice');
  const carol = await a!.client('carol');
  const bob = await b!.client('bob');
  const slow = await b!.client('slow');
  expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
  for (const c of [carol, bob, slow]) expect(await c.command(T.JoinRoom, 'r')).toBe('r:0');
  slow.socket.pause(); // reads nothing more: the kernel buffers fill, then node b's queue

  // In waves, each read by carol and bob before the next: they keep up, the paused one
  // falls 8 MB behind, far past what the socket buffers and maxOutputBytes absorb.
  const waves = 40;
  const perWave = 50;
  const text = 'x'.repeat(4_000);
  for (let wave = 0; wave < waves; wave++) {
    for (let i = 0; i < perWave; i++) alice.data('r', text);
    const got = await Promise.all([receiveAll(carol, perWave), receiveAll(bob, perWave)]);
    expect(got).toEqual([perWave, perWave]);
  }
  slow.socket.resume(); // a paused socket never sees its end; read what was sent, then it
  await slow.closed; // was dropped by its own node...
  expect(b!.logs.some((l) => l.includes('slow consumer') && l.includes('user=slow'))).toBe(true);
  // ...and only there: node a never saw a slow consumer, Redis never cut a node off.
  expect(a!.logs.some((l) => l.includes('slow consumer'))).toBe(false);
  expect([...a!.logs, ...b!.logs].some((l) => l.includes('lost the Redis connection'))).toBe(false);
});
