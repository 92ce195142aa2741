import type { EchoResult } from '../lib/load-echo.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { Child } from '../lib/rpc.js';
import { median } from '../lib/stats.js';
import { built, nextTag, profileFlags, runJob, startLoad, Target } from '../lib/targets.js';

const WINDOW = 64;
/** Bytes of text per message (the load: 16-byte texts). */
export const TEXT_BYTES = 16;
type Mode = 'runtime' | 'client' | 'raw';

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
      raw: [],
    };
    try {
      for (let r = 0; r < rounds; r++) {
        for (const mode of ['raw', 'client', 'runtime'] as const) {
          const tag = nextTag();
          const room = `${tag}echo`;
          await load.call('echoPrepare', { port: target.port, name: `${tag}s`, room });
          const bot = new Child('./bot-host.ts', [], profileFlags());
          try {
            await bot.call(mode, { port: target.port, name: `${tag}bot`, room });
            const m = await runJob<EchoResult>(load, target, 'echoRun', {
              window: WINDOW,
              textBytes: TEXT_BYTES,
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
    const c = median(runs.client.map((m) => m.echoesPerSecond));
    const y = median(runs.raw.map((m) => m.echoesPerSecond));
    const yardstick = { name: 'raw-socket echo', value: y, unit: 'echoes/s' };
    const detail = { window: WINDOW, textBytes: TEXT_BYTES, rounds, warmupMs, measureMs, runs };
    return [
      {
        scenario,
        status: 'ok',
        server: { value: s, unit: 'echoes/s' },
        yardstick,
        ratio: s / y,
        goal: '>= 0.6x',
        met: s / y >= 0.6,
        notes: `outbox rate limit lifted; ${(s / c).toFixed(3)}x of the client library's echo`,
        detail,
      },
      {
        scenario: `client library echo, ${WINDOW} in flight`,
        status: 'ok',
        server: { value: c, unit: 'echoes/s' },
        yardstick,
        ratio: c / y,
        goal: '>= 0.85x',
        met: c / y >= 0.85,
        notes: 'client.on(message) -> client.send, no framework above it',
        detail: {},
      },
    ] satisfies Row[];
  },
};
