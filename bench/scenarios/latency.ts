import type { LatencyResult } from '../lib/load-latency.js';
import { naRow, type Row, type Scenario, windows } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { nextTag, runJob, startLoad, startTargets } from '../lib/targets.js';

const RATE = 5000;
const MEMBERS = 50;
const GOAL_P99_MS = 5;

export const latencyScenario: Scenario = {
  name: 'latency',
  async run(ctx) {
    const { rounds, warmupMs, measureMs } = windows(ctx, {
      rounds: 3,
      warmupMs: 1000,
      measureMs: 5000,
    });
    const args = { subscribers: MEMBERS - 1, rate: RATE, textBytes: 64, warmupMs, measureMs };
    const { relay, server } = await startTargets();
    const load = startLoad();
    const runs: Record<'relay' | 'server', LatencyResult[]> = { relay: [], server: [] };
    try {
      for (let r = 0; r < rounds; r++) {
        // Alternate the two targets so drift on the machine hits both alike.
        for (const target of [relay, server]) {
          if (!target) continue;
          const m = await runJob<LatencyResult>(load, target, 'latency', {
            ...args,
            tag: nextTag(),
          });
          runs[target.kind].push(m);
          ctx.progress(
            `latency ${target.label}: p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, max ${m.maxMs.toFixed(2)} ms ` +
              `over ${m.samples} deliveries (server CPU ${Math.round(m.serverCpuPercent)}%)`,
          );
        }
      }
    } finally {
      await load.stop();
      await Promise.all([relay.stop(), server?.stop()]);
    }
    /** Each percentile is the median over the rounds, so one disturbed round does not decide. */
    const summary = (list: LatencyResult[]): LatencyResult | undefined =>
      list.length === 0
        ? undefined
        : {
            samples: list.reduce((n, m) => n + m.samples, 0),
            p50Ms: median(list.map((m) => m.p50Ms)),
            p99Ms: median(list.map((m) => m.p99Ms)),
            maxMs: median(list.map((m) => m.maxMs)),
            offeredPerSecond: median(list.map((m) => m.offeredPerSecond)),
            loadCpuPercent: median(list.map((m) => m.loadCpuPercent)),
          };
    const results = { relay: summary(runs.relay), server: summary(runs.server) };
    const label = `latency @ ${RATE / 1000}k msg/s, ${MEMBERS} members`;
    const y = results.relay!;
    const s = results.server;
    if (!s) return [naRow(`${label}, p99`, 'src/server')];
    const row = (what: 'p50' | 'p99' | 'max', key: 'p50Ms' | 'p99Ms' | 'maxMs'): Row => ({
      scenario: `${label}, ${what}`,
      status: 'ok',
      server: { value: s[key], unit: 'ms' },
      yardstick: { name: 'minimal relay', value: y[key], unit: 'ms' },
      ratio: s[key] / y[key],
      ...(what === 'p99' ? { goal: `< ${GOAL_P99_MS} ms`, met: s.p99Ms < GOAL_P99_MS } : {}),
      ...(what === 'p50'
        ? {
            notes: `median of ${rounds} rounds, ${s.samples} deliveries timed; offered ${Math.round(s.offeredPerSecond)} msg/s`,
            detail: { args, rounds, runs },
          }
        : {}),
    });
    return [row('p50', 'p50Ms'), row('p99', 'p99Ms'), row('max', 'maxMs')];
  },
};
