import type { FanoutResult } from '../lib/load-fanout.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { built, nextTag, runJob, startLoad, Target } from '../lib/targets.js';

/**
 * The cost of `serve --http`'s metrics on the hot path: the same server with its counters,
 * HTTP listener and a /metrics rendering every second, against itself without them. Goal:
 * within 5% (issue 16).
 */
const SHAPES = [
  { label: '1 -> 50, 64 B', publishers: 1, subscribers: 50, textBytes: 64, batch: 50 },
  { label: '4 -> 10, 512 B', publishers: 4, subscribers: 10, textBytes: 512, batch: 16 },
];
const DEPTH = 8;

type Measured = FanoutResult & { serverCpuPercent: number };

export const fanoutMetricsScenario: Scenario = {
  name: 'fanout-metrics',
  async run(ctx) {
    if (!built('src/http/serve-http.ts')) return [naRow('fan-out, metrics on vs off', 'src/http')];
    const rounds = ctx.quick ? 1 : 5;
    const warmupMs = ctx.quick ? 300 : 1000;
    const measureMs = ctx.quick ? 1000 : 3000;
    const off = await Target.start('server');
    const on = await Target.start('server', { metrics: true });
    const load = startLoad();
    const rows: Row[] = [];
    try {
      for (const shape of SHAPES) {
        const scenario = `fan-out ${shape.label}, metrics on`;
        const runs: { on: Measured[]; off: Measured[] } = { on: [], off: [] };
        for (let r = 0; r < rounds; r++) {
          // Alternate, so drift on the machine hits both alike.
          for (const [which, target] of [
            ['off', off],
            ['on', on],
          ] as const) {
            const m = await runJob<FanoutResult>(load, target, 'fanout', {
              ...shape,
              warmupMs,
              measureMs,
              depth: DEPTH,
              tag: nextTag(),
            });
            runs[which].push(m);
            ctx.progress(
              `${scenario} [${which}]: ${Math.round(m.deliveriesPerSecond)} deliveries/s (server CPU ${Math.round(m.serverCpuPercent)}%)`,
            );
          }
        }
        const value = (list: Measured[]) => median(list.map((m) => m.deliveriesPerSecond));
        // CPU per delivery is the steadier figure on a shared machine: throughput also moves
        // with what else runs, CPU time per delivery mostly with the work done.
        const nsPer = (list: Measured[]) =>
          median(list.map((m) => ((m.serverCpuPercent / 100) * 1e9) / m.deliveriesPerSecond));
        const ratio = value(runs.on) / value(runs.off);
        rows.push({
          scenario,
          status: 'ok',
          server: { value: value(runs.on), unit: 'deliveries/s' },
          yardstick: { name: 'metrics off', value: value(runs.off), unit: 'deliveries/s' },
          ratio,
          goal: '>= 0.95x',
          met: ratio >= 0.95,
          notes:
            `CPU per delivery ${nsPer(runs.on).toFixed(0)} / ${nsPer(runs.off).toFixed(0)} ns ` +
            `(${(nsPer(runs.on) / nsPer(runs.off)).toFixed(3)}x); median of ${rounds} alternating runs; ` +
            'on = ServerStats + HTTP listener + /metrics rendered every 1 s',
          detail: { shape, rounds, warmupMs, measureMs, depth: DEPTH, runs },
        });
      }
    } finally {
      await load.stop();
      await Promise.all([on.stop(), off.stop()]);
    }
    return rows;
  },
};
