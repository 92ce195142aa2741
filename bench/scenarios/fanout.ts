import type { FanoutResult } from '../lib/load-fanout.js';
import { naRow, type Row, type Scenario, windows } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { nextTag, runJob, startLoad, startTargets, type Target } from '../lib/targets.js';

interface Shape {
  label: string;
  publishers: number;
  subscribers: number;
  textBytes: number;
  batch: number;
}

const SHAPES: Shape[] = [
  { label: '1 -> 50, 64 B', publishers: 1, subscribers: 50, textBytes: 64, batch: 50 },
  { label: '4 -> 10, 512 B', publishers: 4, subscribers: 10, textBytes: 512, batch: 16 },
  { label: '1 -> 200, 64 B', publishers: 1, subscribers: 200, textBytes: 64, batch: 50 },
];
const DEPTH = 8;

type Measured = FanoutResult & { serverCpuPercent: number };

/** CPU nanoseconds spent per delivery, from % of a core and deliveries per second. */
function nsPer(cpuPercent: number, perSecond: number): string {
  return (((cpuPercent / 100) * 1e9) / perSecond).toFixed(0);
}

function pct(n: number): string {
  return `${Math.round(n)}%`;
}

export const fanoutScenario: Scenario = {
  name: 'fanout',
  async run(ctx) {
    const { rounds, warmupMs, measureMs } = windows(ctx, {
      rounds: 3,
      warmupMs: 1000,
      measureMs: 3000,
    });
    const { relay, server } = await startTargets();
    const load = startLoad();
    const rows: Row[] = [];
    try {
      for (const shape of SHAPES) {
        const scenario = `fan-out ${shape.label}`;
        const runs: Record<'relay' | 'server', Measured[]> = { relay: [], server: [] };
        for (let r = 0; r < rounds; r++) {
          // Alternate the two targets so drift on the machine hits both alike.
          for (const target of [relay, server]) {
            if (!target) continue;
            const m = await runJob<FanoutResult>(load, target as Target, 'fanout', {
              ...shape,
              warmupMs,
              measureMs,
              depth: DEPTH,
              tag: nextTag(),
            });
            runs[target.kind].push(m);
            ctx.progress(
              `${scenario} ${target.label}: ${Math.round(m.deliveriesPerSecond)} deliveries/s ` +
                `(server CPU ${pct(m.serverCpuPercent)}, load CPU ${pct(m.loadCpuPercent)}, ` +
                `${m.framesPerRead.toFixed(1)} frames per read)`,
            );
          }
        }
        const pick = (list: Measured[]) => {
          const value = median(list.map((m) => m.deliveriesPerSecond));
          const cpu = median(list.map((m) => m.serverCpuPercent));
          const loadCpu = median(list.map((m) => m.loadCpuPercent));
          return { value, cpu, loadCpu };
        };
        const y = pick(runs.relay);
        if (!server) {
          rows.push({
            ...naRow(scenario, 'src/server'),
            yardstick: { name: 'minimal relay', value: y.value, unit: 'deliveries/s' },
          });
          continue;
        }
        const s = pick(runs.server);
        const ratio = s.value / y.value;
        rows.push({
          scenario,
          status: 'ok',
          server: { value: s.value, unit: 'deliveries/s' },
          yardstick: { name: 'minimal relay', value: y.value, unit: 'deliveries/s' },
          ratio,
          goal: '>= 0.8x',
          met: ratio >= 0.8,
          notes:
            `CPU per delivery ${nsPer(s.cpu, s.value)} / ${nsPer(y.cpu, y.value)} ns; ` +
            `CPU ${pct(s.cpu)} / ${pct(y.cpu)}, load ${pct(s.loadCpu)} / ${pct(y.loadCpu)}`,
          detail: { shape, rounds, warmupMs, measureMs, depth: DEPTH, runs },
        });
      }
    } finally {
      await load.stop();
      await Promise.all([relay.stop(), server?.stop()]);
    }
    return rows;
  },
};
