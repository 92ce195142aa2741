import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { RunningServer } from '../server/start.js';
import { clusterReadiness, registerClusterMetrics } from './cluster-metrics.js';
import { type HttpLimits, type RunningHttp, startHttpServer } from './server.js';
import { registerServerMetrics } from './server-metrics.js';

export interface ServeHttpOptions extends Partial<HttpLimits> {
  host: string;
  port: number;
  token?: string | undefined;
  logger: Logger;
  /**
   * More readiness checks beside `listening` (and, on a cluster node, `redis`: the link to
   * Redis is up); each resolving false (or throwing) makes /readyz answer 503.
   */
  checks?: Record<string, () => boolean | Promise<boolean>>;
  /** Registers more metrics on the same registry, so /metrics stays one scrape target. */
  extraMetrics?: ((registry: Registry) => void)[];
  /** prom-client's process and Node.js metrics (process_*, nodejs_*). Default true. */
  defaultMetrics?: boolean;
}

export interface ServeHttp extends RunningHttp {
  /** From now on /readyz answers 503 (the server is shutting down); /healthz stays 200. */
  draining(): void;
  readonly registry: Registry;
}

/**
 * The HTTP listener of `serve --http`: health, readiness and the server's metrics. The
 * server must have been started with `stats` (a ServerStats), which the metrics read.
 *
 * @example
 * const stats = new ServerStats();
 * const running = await startServer({ port: 0, stats });
 * const web = await startServeHttp(running, { host: '127.0.0.1', port: 0, logger });
 */
export async function startServeHttp(
  running: RunningServer,
  options: ServeHttpOptions,
): Promise<ServeHttp> {
  const stats = running.server.stats;
  if (stats === undefined) throw new Error('startServeHttp needs a server started with `stats`');
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  registerServerMetrics(registry, running.server, stats);
  registerClusterMetrics(registry, running.server.registry);
  for (const add of options.extraMetrics ?? []) add(registry);
  let listening = true;
  const redis = clusterReadiness(running.server.registry);
  const checks = Object.entries({ ...(redis ? { redis } : {}), ...options.checks });
  const http = await startHttpServer({
    ...options,
    logger: options.logger,
    registry,
    readiness: async () => {
      const results: Record<string, boolean> = { listening };
      for (const [name, check] of checks) {
        results[name] = await Promise.resolve()
          .then(check)
          .catch(() => false);
      }
      return { ready: Object.values(results).every(Boolean), checks: results };
    },
  });
  return {
    ...http,
    registry,
    draining: () => {
      listening = false;
    },
  };
}
