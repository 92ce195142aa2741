// The server suites again, with their clients spread over two nodes of one cluster (one
// Redis): every rule of decisions.md, RFC 8890 section 4 and extensions.md, the limits,
// the fan-out and the robustness cases must hold whichever node a client is on. The
// suites themselves are imported, not copied.
import { afterAll, beforeAll } from 'vitest';
import { startServer } from '../../src/server/index.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { useLaunch } from '../server/harness.js';
import '../server/decisions.test.js';
import '../server/rfc-cases.test.js';
import '../server/extensions.test.js';
import '../server/limits.test.js';
import '../server/fanout.test.js';
import '../server/robustness.test.js';

let redis: RedisServer;
let clusters = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

useLaunch((options, logger) => {
  // A cluster of its own per test: its own key prefix on the shared Redis.
  const prefix = `spread${++clusters}:`;
  return Promise.all(
    ['n1', 'n2'].map((nodeId) =>
      startServer({
        logger: logger.child(nodeId),
        ...options,
        host: '127.0.0.1',
        port: 0,
        redis: { url: redis.url, prefix, nodeId },
      }),
    ),
  );
});
