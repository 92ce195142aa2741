// `mpcrp-bot serve --redis` as real processes: two of them on one Redis are one server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MessageType as T } from '../../src/protocol/types.js';
import { deadPort, start } from '../cli/cli-harness.js';
import { RawClient } from '../helpers/raw-client.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { parseData } from '../server/harness.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

async function port(p: ReturnType<typeof start>): Promise<number> {
  const [line] = await p.waitForLines(1);
  return Number(/:(\d+)$/.exec(line!)![1]);
}

it('two serve processes on one Redis (--redis, MPCRP_REDIS_URL) share names, rooms and messages', async () => {
  const one = start(['serve', '--port', '0', '--redis', redis.url]);
  const two = start(['serve', '--port', '0'], { env: { MPCRP_REDIS_URL: redis.url } });
  const [p1, p2] = await Promise.all([port(one), port(two)]);
  const alice = await (await RawClient.connect(p1)).register('alice');
  const other = await RawClient.connect(p2);
  expect(await other.setName('alice')).toBe('1');
  const bob = await other.register('bob');
  expect(await alice.command(T.CreateRoom, 'r')).toBe('r:0');
  expect(await bob.command(T.JoinRoom, 'r')).toBe('r:0');
  bob.data('r', 'across');
  expect(parseData((await alice.expect(T.Data)).payload).text).toBe('across');
  expect(one.stderr()).toMatch(/cluster: joined/);
  await Promise.all([alice.close(), bob.close()]);
  for (const p of [one, two]) p.child.kill('SIGTERM');
  for (const p of [one, two]) expect((await p.exited).code).toBe(0);
  expect(two.stderr()).toMatch(/cluster: left/);
});

it('exits 3 with advice when Redis cannot be reached', async () => {
  const result = await start([
    'serve',
    '--port',
    '0',
    '--redis',
    `redis://127.0.0.1:${await deadPort()}`,
  ]).exited;
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(
    /cannot connect to redis:\/\/127\.0\.0\.1:\d+: .*is redis-server running there/,
  );
  expect(result.stdout).toBe('');
});

it('refuses a --redis that is not a Redis URL (exit 2)', async () => {
  const result = await start(['serve', '--port', '0', '--redis', 'http://example.com']).exited;
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/redis URL must look like redis:\/\/HOST:PORT/);
});
