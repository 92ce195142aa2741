// What a cluster does when a node dies or Redis goes away.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/protocol/codec.js';
import { MessageType as T } from '../../src/protocol/types.js';
import { RawClient } from '../helpers/raw-client.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { parseData } from '../server/harness.js';
import { spawnNode, startNodes } from './nodes.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

async function presence(c: RawClient, timeout?: number): Promise<unknown> {
  const { type: _, ...event } = decodeMessage(await c.nextOfType(T.Presence, timeout)) as {
    type: number;
  };
  return event;
}

async function texts(c: RawClient, count: number, timeout?: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count)
    out.push(parseData((await c.nextOfType(T.Data, timeout)).payload).text);
  return out;
}

describe('a node killed with -9', () => {
  it("frees its users' names and memberships within the lease TTL; the others see the leaves", async () => {
    const leaseTtl = 1_500;
    const [node] = await startNodes(redis.url, 1, { prefix: 'kill:', leaseTtl });
    const child = await spawnNode(redis.url, 'kill:', leaseTtl);
    const alice = await node!.client('alice');
    expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await alice.hello(['presence'])).toEqual(['presence']);
    const doomed = await RawClient.connect(child.port);
    await doomed.register('bob');
    expect(await doomed.command(T.JoinRoom, 'r')).toBe('r:0');
    expect(await presence(alice)).toEqual({ room: 'r', event: 'join', user: 'bob' });
    expect(await alice.userList('r')).toEqual(['alice', 'bob']);

    const killedAt = Date.now();
    await child.kill();
    expect(await presence(alice, 2 * leaseTtl)).toEqual({ room: 'r', event: 'leave', user: 'bob' });
    const freedAfter = Date.now() - killedAt;
    // The figure: lease 3/4 TTL from the last heartbeat, a sweep every 1/4 TTL. Timers on
    // a loaded machine run late, so 250 ms of slack over the TTL.
    expect(freedAfter).toBeLessThan(leaseTtl + 250);
    expect(await alice.userList('r')).toEqual(['alice']);
    const again = await node!.client();
    expect(await again.setName('bob')).toBe('0');
    expect(
      node!.logs.some((l) => l.includes('reaped the users of nodes whose lease ran out')),
    ).toBe(true);
  });
});

describe('Redis stopped and started again, empty', () => {
  afterEach(() =>
    redis.restart().then(
      () => undefined,
      () => undefined,
    ),
  );

  it('no crash; local delivery goes on; held messages arrive after; state is asserted again', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    const alice = await a!.client('alice');
    const carol = await a!.client('carol');
    const bob = await b!.client('bob');
    expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await carol.command(T.JoinRoom, 'r')).toBe('r:0');
    expect(await bob.command(T.JoinRoom, 'r')).toBe('r:0');
    alice.data('r', 'before');
    expect(await texts(bob, 1)).toEqual(['before']);
    expect(await texts(carol, 1)).toEqual(['before']);

    await redis.kill();
    // Alice's node hears of the outage when its connection drops; wait for the log line.
    await until(() => a!.logs.some((l) => l.includes('lost the Redis connection')));
    const held = ['held 1', 'held 2', 'held 3'];
    for (const text of held) {
      alice.data('r', text);
      await alice.expectNothing(); // a round trip: each is its own turn, its own message
    }
    expect(await texts(carol, 3)).toEqual(held); // same node: delivered during the outage
    // What needs the cluster is refused, with the protocol's failure response.
    const newcomer = await a!.client();
    expect(await newcomer.setName('dave')).toBe('1');

    await redis.restart();
    // Bob's node is resubscribed and the held messages arrive, in order, nothing lost.
    expect(await texts(bob, 3, 10_000)).toEqual(held);
    alice.data('r', 'after');
    expect(await texts(bob, 1)).toEqual(['after']);
    expect(await texts(carol, 1)).toEqual(['after']);
    // Redis lost everything; the nodes asserted their users, memberships and rooms again.
    expect(((await bob.userList('r')) as string[]).sort()).toEqual(['alice', 'bob', 'carol']);
    expect(await (await b!.client()).setName('alice')).toBe('1');
    expect(await bob.command(T.DestroyRoom, 'r')).toBe('r:1'); // alice still owns it
    expect(await newcomer.setName('dave')).toBe('0');
    expect(a!.logs.some((l) => l.includes('Redis is back') && l.includes('sent=3'))).toBe(true);
    // Each node knew the other (from its hello at start) and waited for it to be back.
    for (const n of [a!, b!])
      expect(n.logs.some((l) => l.includes('Redis is back') && l.includes('peers=1'))).toBe(true);
  });

  it('holds at most maxHeldMessages and logs when the bound is hit', async () => {
    const [a, b] = await startNodes(redis.url, 2, { maxHeldMessages: 2 });
    const alice = await a!.client('alice');
    const bob = await b!.client('bob');
    expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await bob.command(T.JoinRoom, 'r')).toBe('r:0');
    await redis.kill();
    await until(() => a!.logs.some((l) => l.includes('lost the Redis connection')));
    for (const text of ['one', 'two', 'three', 'four']) {
      alice.data('r', text);
      await alice.expectNothing(); // a round trip: each is its own turn, its own message
    }
    const bound = a!.logs.filter((l) => l.includes('held-message bound reached'));
    expect(bound).toHaveLength(1);
    expect(bound[0]).toContain('maxHeldMessages=2');
    await redis.restart();
    expect(await texts(bob, 2, 10_000)).toEqual(['one', 'two']);
    alice.data('r', 'five');
    expect(await texts(bob, 1)).toEqual(['five']);
    expect(a!.logs.some((l) => l.includes('Redis is back') && l.includes('dropped=2'))).toBe(true);
  });
});

describe('Redis loses its data without a disconnect (FLUSHALL)', () => {
  it('the next heartbeat finds the lease gone and the nodes assert their state again', async () => {
    const [a, b] = await startNodes(redis.url, 2, { leaseTtl: 800 });
    const alice = await a!.client('alice');
    const bob = await b!.client('bob');
    expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await bob.command(T.JoinRoom, 'r')).toBe('r:0');
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    const lost = 'had lost its lease';
    await until(
      () => a!.logs.some((l) => l.includes(lost)) && b!.logs.some((l) => l.includes(lost)),
    );
    // Both nodes have asserted their members (in the order the nodes came back).
    let members = (await bob.userList('r')) as string[] | string;
    for (let i = 0; i < 1000 && members.length !== 2; i++)
      members = (await bob.userList('r')) as string[] | string;
    expect([...members].sort()).toEqual(['alice', 'bob']);
    expect(await (await b!.client()).setName('alice')).toBe('1');
    bob.data('r', 'still one server');
    expect(await texts(alice, 1)).toEqual(['still one server']);
  });
});

/** Waits for `check` to hold, one event-loop turn at a time (for a log line another part writes). */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
