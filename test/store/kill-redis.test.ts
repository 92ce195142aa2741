// Done when (Redis): karma counts bob++ twice, `run` is killed with -9 and started again,
// and `!karma bob` answers 2.
import { afterAll, beforeAll, it } from 'vitest';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { survivesKill } from './karma-run.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

it('karma survives kill -9 of run on Redis (--store redis://)', async () => {
  await survivesKill(['--store', redis.url]);
});
