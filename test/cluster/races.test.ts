// Races across nodes: Redis runs each claim as one script, so exactly one client wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType as T } from '../../src/protocol/types.js';
import type { RawClient } from '../helpers/raw-client.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { startNodes } from './nodes.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

/** 50 connected clients, alternating between the nodes. */
async function fifty(nodes: Awaited<ReturnType<typeof startNodes>>): Promise<RawClient[]> {
  return Promise.all(Array.from({ length: 50 }, (_, i) => nodes[i % nodes.length]!.client()));
}

describe('races across two nodes', () => {
  it('50 clients claim one username at once: exactly one wins', async () => {
    const nodes = await startNodes(redis.url, 2);
    const clients = await fifty(nodes);
    const results = await Promise.all(clients.map((c) => c.setName('highlander')));
    expect(results.filter((r) => r === '0')).toHaveLength(1);
    expect(results.filter((r) => r === '1')).toHaveLength(49);
    // And the loser's node agrees: the name stays taken there.
    expect(await (await nodes[1]!.client()).setName('highlander')).toBe('1');
  });

  it('50 users create one room ID at once: exactly one wins and owns it', async () => {
    const nodes = await startNodes(redis.url, 2);
    const clients = await fifty(nodes);
    await Promise.all(clients.map((c, i) => c.register(`u${i}`)));
    const results = await Promise.all(clients.map((c) => c.command(T.CreateRoom, 'throne')));
    const winners = results.flatMap((r, i) => (r === 'throne:0' ? [i] : []));
    expect(winners).toHaveLength(1);
    const winner = clients[winners[0]!]!;
    expect(await winner.userList('throne')).toEqual([`u${winners[0]}`]);
    const other = clients[(winners[0]! + 1) % 50]!;
    expect(await other.command(T.JoinRoom, 'throne')).toBe('throne:0');
    expect(await other.command(T.DestroyRoom, 'throne')).toBe('throne:1');
    expect(await winner.command(T.DestroyRoom, 'throne')).toBe('throne:0');
  });

  it('50 users join a room capped at 10 members: exactly 10 get in', async () => {
    const nodes = await startNodes(redis.url, 2, {}, { maxRoomMembers: 10 });
    const clients = await fifty(nodes);
    await Promise.all(clients.map((c, i) => c.register(`u${i}`)));
    expect(await clients[0]!.command(T.CreateRoom, 'small')).toBe('small:0');
    const results = await Promise.all(clients.slice(1).map((c) => c.command(T.JoinRoom, 'small')));
    expect(results.filter((r) => r === 'small:0')).toHaveLength(9);
    expect(await clients[0]!.userList('small')).toHaveLength(10);
  });
});

describe('ownership across nodes', () => {
  it('follows renames, and rooms of an earlier holder of a name stay with the name', async () => {
    const nodes = await startNodes(redis.url, 2);
    const old = await nodes[0]!.client('carol');
    expect(await old.command(T.CreateRoom, 'first')).toBe('first:0');
    await old.close();
    const dave = await nodes[1]!.client('dave');
    expect(await dave.command(T.CreateRoom, 'second')).toBe('second:0');
    // dave takes the free name carol: he now owns both rooms, as on one server.
    // (Once node 1 has released the old carol: retry until the name is free.)
    let taken = await dave.setName('carol');
    for (let i = 0; i < 1000 && taken !== '0'; i++) taken = await dave.setName('carol');
    expect(taken).toBe('0');
    expect(await dave.setName('erin')).toBe('0');
    const other = await nodes[0]!.client('frank');
    for (const room of ['first', 'second']) {
      expect(await other.command(T.DestroyRoom, room)).toBe(`${room}:1`);
      expect(await dave.command(T.DestroyRoom, room)).toBe(`${room}:0`);
    }
  });
});
