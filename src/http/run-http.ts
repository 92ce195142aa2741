import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { BotRuntime } from '../runtime/create.js';
import type { RuntimeStats } from '../runtime/stats.js';
import { countSessions, registerRuntimeMetrics } from './runtime-metrics.js';
import { type HttpLimits, type RunningHttp, startHttpServer } from './server.js';
import { webhookRouter } from './webhooks.js';

export interface RunHttpOptions extends Partial<HttpLimits> {
  host: string;
  port: number;
  token?: string | undefined;
  logger: Logger;
  /** The counters the runtime was created with (`createRuntime({ stats })`). */
  stats: RuntimeStats;
}

export interface RunHttp extends RunningHttp {
  readonly registry: Registry;
}

/**
 * The HTTP listener of `run --http`: health, readiness (connected and in its rooms), the
 * runtime's metrics, webhooks into rooms and the plugins' `bot.http` routes. Start it
 * before `runtime.start()` so the first session's events are counted.
 *
 * @example
 * const stats = new RuntimeStats();
 * const runtime = createRuntime({ ...options, stats });
 * const web = await startRunHttp(runtime, { host: '127.0.0.1', port: 0, logger, stats });
 * await runtime.start();
 */
export async function startRunHttp(runtime: BotRuntime, options: RunHttpOptions): Promise<RunHttp> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sessions = countSessions(runtime);
  registerRuntimeMetrics(registry, runtime, options.stats, sessions);
  // Ready from a session's 'ready' (rooms entered, user lists read) until it drops.
  let inRooms = false;
  runtime.on('ready', () => {
    inRooms = true;
  });
  runtime.on('disconnected', () => {
    inRooms = false;
  });
  const http = await startHttpServer({
    ...options,
    registry,
    router: webhookRouter(runtime),
    readiness: () => {
      const connected = runtime.connected;
      const ready = connected && inRooms;
      return { ready, checks: { connected, inRooms: ready } };
    },
  });
  return { ...http, registry };
}
