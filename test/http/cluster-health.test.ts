// serve --redis --http: /readyz follows the node's link to Redis, and /metrics shows it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ServeHttp, startServeHttp } from '../../src/http/serve-http.js';
import { silentLogger } from '../../src/log.js';
import { MessageType as T } from '../../src/protocol/types.js';
import { type RunningServer, ServerStats, startServer } from '../../src/server/index.js';
import { scrape } from '../helpers/prom-text.js';
import { RawClient } from '../helpers/raw-client.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function node(id: string): Promise<RunningServer> {
  const running = await startServer({
    port: 0,
    stats: new ServerStats(),
    redis: { url: redis.url, prefix: 'health:', nodeId: id, maxHeldMessages: 2 },
  });
  open.push(running);
  return running;
}

async function readiness(web: ServeHttp): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${web.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('serve --redis --http', () => {
  it('is ready only while Redis is up; the link, peers, held messages and round trip are metrics', async () => {
    const a = await node('a');
    const b = await node('b');
    const web = await startServeHttp(a, { host: '127.0.0.1', port: 0, logger: silentLogger });
    open.push(web);
    expect(await readiness(web)).toEqual({
      status: 200,
      body: { ready: true, checks: { listening: true, redis: true } },
    });
    const up = await scrape(web.url);
    expect(up.value('mpcrp_cluster_link', { state: 'up' })).toBe(1);
    expect(up.value('mpcrp_cluster_link', { state: 'down' })).toBe(0);
    expect(up.value('mpcrp_cluster_peers')).toBe(1);
    expect(up.value('mpcrp_cluster_held_messages')).toBe(0);
    const rtt = up.value('mpcrp_cluster_redis_round_trip_seconds');
    expect(rtt).toBeGreaterThan(0);
    expect(rtt).toBeLessThan(1); // seconds, not milliseconds

    const alice = await RawClient.connect(a.port);
    await alice.register('alice');
    const bob = await RawClient.connect(b.port);
    await bob.register('bob');
    expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await bob.command(T.JoinRoom, 'r')).toBe('r:0');
    open.push({ close: async () => void alice.socket.destroy() });
    open.push({ close: async () => void bob.socket.destroy() });

    await redis.kill();
    await expect.poll(async () => (await readiness(web)).status).toBe(503);
    expect((await readiness(web)).body).toEqual({
      ready: false,
      checks: { listening: true, redis: false },
    });
    for (const text of ['one', 'two', 'three']) {
      alice.data('r', text);
      await alice.expectNothing(); // a round trip: each is its own turn, its own message
    }
    const down = await scrape(web.url);
    expect(down.value('mpcrp_cluster_link', { state: 'down' })).toBe(1);
    expect(down.value('mpcrp_cluster_held_messages')).toBe(2);
    expect(down.value('mpcrp_cluster_held_dropped_total')).toBe(1);
    expect(down.find('mpcrp_cluster_redis_round_trip_seconds')).toEqual([]);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200); // alive all along

    await redis.restart();
    await expect.poll(async () => (await readiness(web)).status, { timeout: 10_000 }).toBe(200);
    const back = await scrape(web.url);
    expect(back.value('mpcrp_cluster_link', { state: 'up' })).toBe(1);
    expect(back.value('mpcrp_cluster_held_messages')).toBe(0);
    expect(back.value('mpcrp_cluster_held_dropped_total')).toBe(1);
  });

  it('a single server has no redis check and no cluster metrics', async () => {
    const running = await startServer({ port: 0, stats: new ServerStats() });
    open.push(running);
    const web = await startServeHttp(running, { host: '127.0.0.1', port: 0, logger: silentLogger });
    open.push(web);
    expect((await readiness(web)).body).toEqual({ ready: true, checks: { listening: true } });
    expect((await scrape(web.url)).families.has('mpcrp_cluster_link')).toBe(false);
  });
});
