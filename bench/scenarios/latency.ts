import type { LatencyResult } from '../lib/load-latency.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { nextTag, runJob, startLoad, startTargets } from '../lib/targets.js';

const RATE = 5000;
const MEMBERS = 50;
const GOAL_P99_MS = 5;

export const latencyScenario: Scenario = {
  name: 'latency',
  async run(ctx) {
    const args = {
      subscribers: MEMBERS - 1,
      rate: RATE,
      textBytes: 64,
      warmupMs: ctx.quick ? 300 : 1000,
      measureMs: ctx.quick ? 1000 : 5000,
    };
    const { relay, server } = await startTargets();
    const load = startLoad();
    const results: Partial<Record<'relay' | 'server', LatencyResult>> = {};
    try {
      for (const target of [relay, server]) {
        if (!target) continue;
        const m = await runJob<LatencyResult>(load, target, 'latency', { ...args, tag: nextTag() });
        results[target.kind] = m;
        ctx.progress(
          `latency ${target.label}: p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, max ${m.maxMs.toFixed(2)} ms ` +
            `over ${m.samples} deliveries (server CPU ${Math.round(m.serverCpuPercent)}%)`,
        );
      }
    } finally {
      await load.stop();
      await Promise.all([relay.stop(), server?.stop()]);
    }
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
            notes: `${s.samples} deliveries timed; offered ${Math.round(s.offeredPerSecond)} msg/s`,
            detail: { args, server: s, relay: y },
          }
        : {}),
    });
    return [row('p50', 'p50Ms'), row('p99', 'p99Ms'), row('max', 'maxMs')];
  },
};
