// One cluster node in a process of its own, for tests that kill it with -9:
//   node --import tsx test/cluster/node-process.ts REDIS_URL PREFIX LEASE_TTL_MS
// Prints PORT=<port> once it serves.
import { startServer } from '../../src/server/index.js';

const [url, prefix, leaseTtl] = process.argv.slice(2);
const running = await startServer({
  port: 0,
  redis: { url: url!, prefix: prefix!, leaseTtl: Number(leaseTtl), nodeId: `child-${process.pid}` },
});
process.stdout.write(`PORT=${running.port}\n`);
