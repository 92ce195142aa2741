/**
 * Cluster rows (issue 14): the same fan-out load on one plain server and on two cluster
 * nodes sharing one Redis, with the subscribers split over the nodes and the publisher on
 * the first, in one run. On a 2-core machine that also runs the load and Redis no
 * scaling can show; what this measures is the price of the cluster: throughput against
 * one node, CPU per cross-node delivery on the receiving node, and Redis CPU per
 * published message (the figure behind the model in docs/performance.md).
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { type RedisServer, startRedis } from '../../test/helpers/redis-server.js';
import type { FanoutArgs, FanoutResult } from '../lib/load-fanout.js';
import { naRow, type Row, type Scenario, windows } from '../lib/row.js';
import type { Child } from '../lib/rpc.js';
import { median } from '../lib/stats.js';
import { nextTag, startLoad, Target } from '../lib/targets.js';

const SHAPES = [
  { label: '1 -> 50, 64 B', publishers: 1, subscribers: 50, textBytes: 64, batch: 50 },
  { label: '1 -> 200, 64 B', publishers: 1, subscribers: 200, textBytes: 64, batch: 50 },
];
const DEPTH = 8;

interface Measured extends FanoutResult {
  /** % of one core per target, in the order given. */
  cpu: number[];
  /** % of one core Redis used. */
  redisCpu: number;
}

async function redisCpuSeconds(info: Redis): Promise<number> {
  const text = await info.info('cpu');
  const get = (key: string) => Number(new RegExp(`${key}:([\\d.]+)`).exec(text)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

/** One fan-out job, sampling the CPU of every target and of Redis over its window. */
async function measure(
  load: Child,
  targets: Target[],
  info: Redis | undefined,
  args: Omit<FanoutArgs, 'port'> & { port: number },
): Promise<Measured> {
  type Sample = [number, NodeJS.CpuUsage[], number];
  const sample = async (): Promise<Sample> => [
    performance.now(),
    await Promise.all(targets.map((t) => t.cpu())),
    info ? await redisCpuSeconds(info) : 0,
  ];
  let start: Promise<Sample> | undefined;
  let end: Promise<Sample> | undefined;
  load.on('mark', (which) => {
    if (which === 'start') start = sample();
    else end = sample();
  });
  const result = await load.call<FanoutResult>('fanout', args);
  const [[t0, c0, r0], [t1, c1, r1]] = await Promise.all([start!, end!]);
  const ms = t1 - t0;
  return {
    ...result,
    cpu: c1.map((c, i) => (c.user + c.system - c0[i]!.user - c0[i]!.system) / 10 / ms),
    redisCpu: ((r1 - r0) * 1e5) / ms,
  };
}

const ns = (cpuPercent: number, perSecond: number) => ((cpuPercent / 100) * 1e9) / perSecond;
const pct = (n: number) => `${Math.round(n)}%`;

export const clusterScenario: Scenario = {
  name: 'cluster',
  async run(ctx) {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      return [naRow('cluster fan-out', 'redis-server is not installed')];
    }
    const { rounds, warmupMs, measureMs } = windows(ctx, {
      rounds: 3,
      warmupMs: 1000,
      measureMs: 3000,
    });
    let redis: RedisServer | undefined;
    let info: Redis | undefined;
    const targets: Target[] = [];
    const load = startLoad();
    const rows: Row[] = [];
    try {
      redis = await startRedis();
      info = new Redis(redis.url);
      const url = redis.url;
      const single = await Target.start('server');
      targets.push(single);
      for (const nodeId of ['n1', 'n2']) {
        targets.push(await Target.start('server', { redis: { url, prefix: 'bench:', nodeId } }));
      }
      const [, n1, n2] = targets as [Target, Target, Target];
      for (const shape of SHAPES) {
        const scenario = `cluster fan-out ${shape.label}`;
        const one: Measured[] = [];
        const split: Measured[] = [];
        for (let r = 0; r < rounds; r++) {
          const common = { ...shape, warmupMs, measureMs, depth: DEPTH };
          // Alternate, so drift on the machine hits both alike.
          const a = await measure(load, [single], undefined, {
            ...common,
            port: single.port,
            tag: nextTag(),
          });
          one.push(a);
          const b = await measure(load, [n1, n2], info, {
            ...common,
            port: n1.port,
            subscriberPorts: [n1.port, n2.port],
            tag: nextTag(),
          });
          split.push(b);
          ctx.progress(
            `${scenario}: one node ${Math.round(a.deliveriesPerSecond)}/s (CPU ${pct(a.cpu[0]!)}), ` +
              `two nodes ${Math.round(b.deliveriesPerSecond)}/s (CPU ${pct(b.cpu[0]!)} + ${pct(b.cpu[1]!)}, Redis ${pct(b.redisCpu)})`,
          );
        }
        const oneRate = median(one.map((m) => m.deliveriesPerSecond));
        const splitRate = median(split.map((m) => m.deliveriesPerSecond));
        const oneNs = median(one.map((m) => ns(m.cpu[0]!, m.deliveriesPerSecond)));
        // Node 2 serves half the subscribers, every delivery of its cross-node.
        const crossNs = median(split.map((m) => ns(m.cpu[1]!, m.deliveriesPerSecond / 2)));
        const redisNsPerMessage = median(split.map((m) => ns(m.redisCpu, m.messagesPerSecond)));
        const ratio = splitRate / oneRate;
        rows.push({
          scenario,
          status: 'ok',
          server: { value: splitRate, unit: 'deliveries/s' },
          yardstick: { name: 'one node, same load', value: oneRate, unit: 'deliveries/s' },
          ratio,
          notes:
            `CPU per cross-node delivery (receiving node) ${oneNs.toFixed(0)} -> ${crossNs.toFixed(0)} ns; ` +
            `Redis ${redisNsPerMessage.toFixed(0)} ns per published message ` +
            `(${Math.round(1e9 / redisNsPerMessage)} messages/s per Redis core)`,
          detail: { shape, rounds, warmupMs, measureMs, depth: DEPTH, one, split },
        });
      }
    } finally {
      await load.stop();
      await Promise.all(targets.map((t) => t.stop()));
      info?.disconnect();
      await redis?.stop();
    }
    return rows;
  },
};
