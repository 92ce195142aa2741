/**
 * Child process that hosts one server under test: `relay` (the minimal-relay yardstick)
 * or `server` (the real src/server). It runs alone so its CPU time and RSS are its own.
 */
import { startMinimalRelay } from '../yardsticks/minimal-relay.js';
import { serveParent } from './rpc.js';

const kind = process.argv[2];
let close: (() => Promise<void> | void) | undefined;

function collect(): void {
  // --expose-gc is passed by the parent; twice, so weak and finalised objects go too.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

serveParent({
  async start(a: { options?: Record<string, unknown> }): Promise<{ port: number }> {
    if (kind === 'relay') {
      const relay = await startMinimalRelay();
      close = relay.close;
      return { port: relay.port };
    }
    // MPCRP_BENCH_SERVER points at another build of src/server (e.g. a candidate change
    // compiled elsewhere) to compare it under the same load; default: this tree's source.
    const module = process.env.MPCRP_BENCH_SERVER ?? '../../src/server/index.js';
    const { startServer } = (await import(module)) as typeof import('../../src/server/index.js');
    const { createLogger } = await import('../../src/log.js');
    const { metrics, ...options } = a.options ?? {};
    const stats =
      metrics === true ? new (await import('../../src/server/stats.js')).ServerStats() : undefined;
    // Warnings (slow consumer, limits) would mean the load broke the rules: show them.
    const running = await startServer({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ level: 'warn' }),
      ...options,
      ...(stats ? { stats } : {}),
    });
    close = () => running.close();
    if (stats) {
      // Metrics on as `serve --http` runs them: the counters, the HTTP listener, and the
      // /metrics text rendered every second (a scrape far more often than Prometheus's 15 s).
      const { startServeHttp } = await import('../../src/http/serve-http.js');
      const web = await startServeHttp(running, {
        host: '127.0.0.1',
        port: 0,
        logger: createLogger({ level: 'warn' }),
      });
      const scrape = setInterval(() => void web.registry.metrics(), 1000);
      close = async () => {
        clearInterval(scrape);
        await web.close();
        await running.close();
      };
    }
    return { port: running.port };
  },
  memory(): NodeJS.MemoryUsage {
    collect();
    return process.memoryUsage();
  },
  cpu(): NodeJS.CpuUsage {
    return process.cpuUsage();
  },
  async stop(): Promise<void> {
    await close?.();
    setImmediate(() => process.exit(0));
  },
});
