import { afterEach } from 'vitest';
import { type RunHttp, type RunHttpOptions, startRunHttp } from '../../src/http/run-http.js';
import { silentLogger } from '../../src/log.js';
import { type BotRuntime, createRuntime, type RuntimeOptions } from '../../src/runtime/create.js';
import { RuntimeStats } from '../../src/runtime/stats.js';
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
} from '../../src/server/index.js';

export interface BotWithHttp {
  server: RunningServer;
  runtime: BotRuntime;
  web: RunHttp;
  stats: RuntimeStats;
}

const running: BotWithHttp[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) {
    await r.web.close();
    await r.runtime.stop();
    await r.server.close();
  }
});

/**
 * A real server, a bot runtime on it with RuntimeStats, and `run --http`'s listener on a
 * free port, as `run --http 127.0.0.1:0` assembles them; closed after each test.
 */
export async function botWithHttp(options: {
  bot: Omit<RuntimeOptions, 'server' | 'stats'>;
  server?: StartServerOptions;
  http?: Partial<RunHttpOptions>;
}): Promise<BotWithHttp> {
  const server = await startServer({ port: 0, ...options.server });
  const stats = new RuntimeStats();
  const runtime = createRuntime({ ...options.bot, server: server.url, stats });
  const web = await startRunHttp(runtime, {
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    ...options.http,
    stats,
  });
  const setup = { server, runtime, web, stats };
  running.push(setup);
  await runtime.start();
  return setup;
}
