import type { EchoResult } from '../lib/load-echo.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { Child } from '../lib/rpc.js';
import { median } from '../lib/stats.js';
import { built, nextTag, profileFlags, runJob, startLoad, Target } from '../lib/targets.js';

const WINDOW = 64;
type Mode = 'runtime' | 'client';

export const botEchoScenario: Scenario = {
  name: 'bot',
  async run(ctx) {
    const scenario = `bot runtime echo, ${WINDOW} in flight`;
    if (!built('src/server/start.ts')) return [naRow(scenario, 'src/server')];
    if (!built('src/runtime/index.ts')) return [naRow(scenario, 'src/runtime')];
    const rounds = ctx.quick ? 1 : 3;
    const warmupMs = ctx.quick ? 300 : 1000;
    const measureMs = ctx.quick ? 1000 : 3000;
    const target = await Target.start('server');
    const load = startLoad();
    const runs: Record<Mode, (EchoResult & { serverCpuPercent: number })[]> = {
      runtime: [],
      client: [],
    };
    try {
      for (let r = 0; r < rounds; r++) {
        for (const mode of ['client', 'runtime'] as const) {
          const tag = nextTag();
          const room = `${tag}echo`;
          await load.call('echoPrepare', { port: target.port, name: `${tag}s`, room });
          const bot = new Child('./bot-host.ts', [], profileFlags());
          try {
            await bot.call(mode, { port: target.port, name: `${tag}bot`, room });
            const m = await runJob<EchoResult>(load, target, 'echoRun', {
              window: WINDOW,
              warmupMs,
              measureMs,
            });
            runs[mode].push(m);
            ctx.progress(`bot echo ${mode}: ${Math.round(m.echoesPerSecond)} echoes/s`);
          } finally {
            await bot.call('stop').catch(() => {});
            await bot.stop();
          }
        }
      }
    } finally {
      await target.stop();
      await load.stop();
    }
    const s = median(runs.runtime.map((m) => m.echoesPerSecond));
    const y = median(runs.client.map((m) => m.echoesPerSecond));
    const row: Row = {
      scenario,
      status: 'ok',
      server: { value: s, unit: 'echoes/s' },
      yardstick: { name: 'echo on bare client', value: y, unit: 'echoes/s' },
      ratio: s / y,
      goal: 'none set',
      notes: 'outbox rate limit lifted for the run',
      detail: { window: WINDOW, rounds, warmupMs, measureMs, runs },
    };
    return [row];
  },
};
