import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Child } from './rpc.js';

export type TargetKind = 'relay' | 'server';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Whether a piece another engineer is building has landed (its entry file exists). */
export function built(relativePath: string): boolean {
  return existsSync(`${ROOT}${relativePath}`);
}

let profileDir: string | undefined;
/** With `--profile DIR`, every server-under-test process writes a V8 CPU profile there. */
export function setProfileDir(dir: string | undefined): void {
  profileDir = dir;
}

export function profileFlags(): string[] {
  return profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
}

/**
 * Options of the server under test. Every limit stays on, so its checks run on every frame,
 * but the two whose defaults are policy for a public server, not cost, are raised so the
 * load never trips them: flood control (default 200 frames/s per connection) would make
 * every throughput figure read "200", and the idle-memory scenario holds 10,000
 * connections plus its warm-up ones (default cap 10,000).
 */
export const BENCH_SERVER_OPTIONS = Object.freeze({
  frameRate: 1_000_000,
  frameBurst: 1_000_000,
  maxConnections: 20_000,
});

/** A server under test in its own process. */
export class Target {
  private constructor(
    readonly kind: TargetKind,
    readonly child: Child,
    readonly port: number,
  ) {}

  /**
   * `extra` adds server options (e.g. `redis` for a cluster node); `metrics: true` turns on
   * the counters and /metrics.
   */
  static async start(kind: TargetKind, extra: Record<string, unknown> = {}): Promise<Target> {
    const child = new Child('./server-host.ts', [kind], ['--expose-gc', ...profileFlags()]);
    try {
      const { port } = await child.call<{ port: number }>('start', {
        options: kind === 'server' ? { ...BENCH_SERVER_OPTIONS, ...extra } : {},
      });
      if (profileDir)
        process.stderr.write(
          `bench: ${kind} is pid ${child.process.pid} (profile in ${profileDir})\n`,
        );
      return new Target(kind, child, port);
    } catch (error) {
      await child.stop();
      throw error;
    }
  }

  get label(): string {
    return this.kind === 'relay' ? 'minimal relay' : 'server';
  }

  cpu(): Promise<NodeJS.CpuUsage> {
    return this.child.call('cpu');
  }

  /** Memory after two full collections. */
  memory(): Promise<NodeJS.MemoryUsage> {
    return this.child.call('memory');
  }

  async stop(): Promise<void> {
    await this.child.call('stop').catch(() => {});
    await this.child.stop();
  }
}

export function startLoad(): Child {
  return new Child('./load-worker.ts', []);
}

/**
 * Runs one load job and measures the target's CPU use over the same window, which the
 * load worker marks with 'start' and 'end' events. Returns the job's result with
 * `serverCpuPercent` (% of one core) added.
 */
export async function runJob<T>(
  load: Child,
  target: Target,
  cmd: string,
  args: Record<string, unknown>,
  /** Another process whose CPU use over the same window is wanted (e.g. a bot). */
  also?: { cpu(): Promise<NodeJS.CpuUsage> },
): Promise<T & { serverCpuPercent: number; alsoCpuPercent: number }> {
  type Sample = [number, NodeJS.CpuUsage, NodeJS.CpuUsage | undefined];
  let start: Promise<Sample> | undefined;
  let end: Promise<Sample> | undefined;
  const sample = async (): Promise<Sample> => {
    const [server, other] = await Promise.all([target.cpu(), also?.cpu()]);
    return [performance.now(), server, other];
  };
  load.on('mark', (which) => {
    if (which === 'start') start = sample();
    else end = sample();
  });
  const result = await load.call<T>(cmd, { port: target.port, ...args });
  let serverCpuPercent = Number.NaN;
  let alsoCpuPercent = Number.NaN;
  const percent = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage, ms: number) =>
    (b.user + b.system - a.user - a.system) / 10 / ms;
  if (start && end) {
    const [[t0, c0, o0], [t1, c1, o1]] = await Promise.all([start, end]);
    serverCpuPercent = percent(c0, c1, t1 - t0);
    if (o0 && o1) alsoCpuPercent = percent(o0, o1, t1 - t0);
  }
  return { ...result, serverCpuPercent, alsoCpuPercent };
}

/** Starts both targets; the server slot is undefined when src/server has not landed. */
export async function startTargets(): Promise<{ relay: Target; server: Target | undefined }> {
  const relay = await Target.start('relay');
  const server = built('src/server/start.ts') ? await Target.start('server') : undefined;
  return { relay, server };
}

let tags = 0;
/** A short tag unique in this run, for names and rooms (names are at most 20 characters). */
export function nextTag(): string {
  tags++;
  return `b${tags.toString(36)}`;
}
