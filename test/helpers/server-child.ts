/**
 * Child process hosting one real server (from src, through tsx) for tests that measure
 * the server alone: its RSS, its log. Driven by {@link ServerProcess} over IPC.
 */
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server/index.js';

interface Request {
  id: number;
  cmd: 'memory' | 'logs';
}

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const logs: string[] = [];
const running = await startServer({
  logger: createLogger({ level: 'info', write: (line) => logs.push(line) }),
  ...options,
  host: '127.0.0.1',
  port: 0,
});

function rss(): number {
  // Twice, so objects freed by finalisers go too; --expose-gc is passed by the parent.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}

process.on('message', (m: Request) => {
  const result = m.cmd === 'memory' ? rss() : logs.splice(0);
  process.send?.({ id: m.id, result });
});
// The parent gone (test over, or killed): close and exit, never linger.
process.on('disconnect', () => {
  void running.close().finally(() => process.exit(0));
});
process.send?.({ id: 0, result: running.port });
