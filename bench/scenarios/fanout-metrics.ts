import type { FanoutResult } from '../lib/load-fanout.js';
import { naRow, type Row, type Scenario, windows } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { built, nextTag, runJob, startLoad, Target } from '../lib/targets.js';

/**
 * The cost of `serve --http`'s metrics on the hot path: the same server with its counters,
 * HTTP listener and a /metrics rendering every second, against itself without them. Goal:
 * within 5% (issue 16).
 *
 * Two server processes per side: on this shared machine one process can run 20-50% slower
 * than another identical one for its whole life (measured while writing this), which a
 * single pair would report as the metrics' cost. The medians pool both processes of a
 * side, and an A/A row (the two metrics-off processes against each other) prints the
 * noise floor of the same run next to the figure.
 */
const SHAPES = [
  { label: '1 -> 50, 64 B', publishers: 1, subscribers: 50, textBytes: 64, batch: 50 },
  { label: '4 -> 10, 512 B', publishers: 4, subscribers: 10, textBytes: 512, batch: 16 },
];
const DEPTH = 8;
const ON = '+ServerStats, HTTP listener, /metrics rendered every 1 s';

type Measured = FanoutResult & { serverCpuPercent: number };

/** CPU nanoseconds per delivery: the steadier figure when the machine is shared. */
const nsPer = (m: Measured) => ((m.serverCpuPercent / 100) * 1e9) / m.deliveriesPerSecond;
const rate = (list: Measured[]) => median(list.map((m) => m.deliveriesPerSecond));
const cpu = (list: Measured[]) => median(list.map(nsPer));

function row(
  scenario: string,
  a: Measured[],
  b: Measured[],
  yardstick: string,
  notes: string,
  goal: boolean,
): Row {
  const ratio = rate(a) / rate(b);
  return {
    scenario,
    status: 'ok',
    server: { value: rate(a), unit: 'deliveries/s' },
    yardstick: { name: yardstick, value: rate(b), unit: 'deliveries/s' },
    ratio,
    ...(goal ? { goal: '>= 0.95x', met: ratio >= 0.95 } : {}),
    notes:
      `CPU per delivery ${cpu(a).toFixed(0)} / ${cpu(b).toFixed(0)} ns ` +
      `(${(cpu(a) / cpu(b)).toFixed(3)}x); ${notes}`,
  };
}

export const fanoutMetricsScenario: Scenario = {
  name: 'fanout-metrics',
  async run(ctx) {
    if (!built('src/http/serve-http.ts')) return [naRow('fan-out, metrics on vs off', 'src/http')];
    const { rounds, warmupMs, measureMs } = windows(ctx, {
      rounds: 3,
      warmupMs: 1000,
      measureMs: 3000,
    });
    const off = [await Target.start('server'), await Target.start('server')];
    const on = [
      await Target.start('server', { metrics: true }),
      await Target.start('server', { metrics: true }),
    ];
    const load = startLoad();
    const rows: Row[] = [];
    try {
      for (const shape of SHAPES) {
        const runs = { off: [[], []] as Measured[][], on: [[], []] as Measured[][] };
        for (let r = 0; r < rounds; r++) {
          // Alternating, reversed every other round, so drift on the machine hits all alike.
          const order = [0, 1].flatMap((i) => [['off', i] as const, ['on', i] as const]);
          for (const [side, i] of r % 2 === 0 ? order : order.reverse()) {
            const target = side === 'off' ? off[i]! : on[i]!;
            const m = await runJob<FanoutResult>(load, target, 'fanout', {
              ...shape,
              warmupMs,
              measureMs,
              depth: DEPTH,
              tag: nextTag(),
            });
            runs[side][i]!.push(m);
            ctx.progress(
              `fan-out ${shape.label} [metrics ${side} #${i + 1}]: ${Math.round(m.deliveriesPerSecond)} deliveries/s, ${nsPer(m).toFixed(0)} ns CPU per delivery`,
            );
          }
        }
        const pooled = `median of ${rounds} rounds x 2 processes per side`;
        rows.push({
          ...row(
            `fan-out ${shape.label}, metrics on`,
            runs.on.flat(),
            runs.off.flat(),
            'metrics off',
            `${pooled}; on = ${ON}`,
            true,
          ),
          detail: { shape, rounds, warmupMs, measureMs, depth: DEPTH, runs },
        });
        rows.push(
          row(
            `fan-out ${shape.label}, metrics off (A/A)`,
            runs.off[1]!,
            runs.off[0]!,
            'metrics off #1',
            'noise floor: two identical metrics-off processes of this run',
            false,
          ),
        );
      }
    } finally {
      await load.stop();
      await Promise.all([...on, ...off].map((t) => t.stop()));
    }
    return rows;
  },
};
