import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCliBuilt } from '../lib/dist.js';
import type { EchoResult } from '../lib/load-echo.js';
import { naRow, type Row, type Scenario, windows } from '../lib/row.js';
import { Child } from '../lib/rpc.js';
import { median } from '../lib/stats.js';
import { built, nextTag, profileFlags, ROOT, runJob, startLoad, Target } from '../lib/targets.js';

const WINDOW = 64;
/** Bytes of text per message (the load: 16-byte texts). */
export const TEXT_BYTES = 16;
type Mode = 'runtime' | 'client' | 'raw' | 'base runtime' | 'base client';
/**
 * Another build's dist/ to measure in the same run (before/after figures of a change):
 * `MPCRP_BENCH_BOT_BASE=/path/to/other/dist npm run bench -- --only bot`.
 */
const BASE = process.env.MPCRP_BENCH_BOT_BASE;

export const botEchoScenario: Scenario = {
  name: 'bot',
  async run(ctx) {
    const scenario = `bot runtime echo, ${WINDOW} in flight`;
    if (!built('src/server/start.ts')) return [naRow(scenario, 'src/server')];
    if (!built('src/runtime/index.ts')) return [naRow(scenario, 'src/runtime')];
    const { rounds, warmupMs, measureMs } = windows(ctx, {
      rounds: 3,
      warmupMs: 1000,
      measureMs: 3000,
    });
    // The bot runs the library as users run it: dist/, compiled by tsc. Run through tsx, the
    // sources would pay for esbuild's keepNames (a defineProperty per closure made).
    ensureCliBuilt(ctx.progress);
    const lib = join(ROOT, 'dist');
    if (!existsSync(join(lib, 'runtime/index.js')))
      return [naRow(scenario, 'dist/ (npm run build)')];
    const target = await Target.start('server');
    const load = startLoad();
    const runs: Record<Mode, (EchoResult & { serverCpuPercent: number; botCpuUs: number })[]> = {
      runtime: [],
      client: [],
      raw: [],
      'base runtime': [],
      'base client': [],
    };
    const modes: Mode[] = ['raw', 'client', 'runtime'];
    if (BASE) modes.push('base client', 'base runtime');
    try {
      for (let r = 0; r < rounds; r++) {
        for (const mode of modes) {
          const tag = nextTag();
          const room = `${tag}echo`;
          await load.call('echoPrepare', { port: target.port, name: `${tag}s`, room });
          const bot = new Child('./bot-host.ts', [], profileFlags());
          try {
            const base = mode.startsWith('base ');
            await bot.call(base ? mode.slice(5) : mode, {
              port: target.port,
              name: `${tag}bot`,
              room,
              lib: base ? BASE : lib,
            });
            const job = await runJob<EchoResult>(
              load,
              target,
              'echoRun',
              { window: WINDOW, textBytes: TEXT_BYTES, warmupMs, measureMs },
              { cpu: () => bot.call<NodeJS.CpuUsage>('cpu') },
            );
            // CPU per echo in the bot: steadier than echoes/s on a shared machine.
            const botCpuUs = (job.alsoCpuPercent * 1e4) / job.echoesPerSecond;
            const m = { ...job, botCpuUs };
            runs[mode].push(m);
            ctx.progress(
              `bot echo ${mode}: ${Math.round(m.echoesPerSecond)} echoes/s, bot CPU ${botCpuUs.toFixed(2)} us/echo (${Math.round(job.alsoCpuPercent)}%)`,
            );
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
    const us = (mode: Mode) => median(runs[mode].map((m) => m.botCpuUs)).toFixed(2);
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
        notes: `outbox rate limit lifted; ${(s / c).toFixed(3)}x of the client library's echo; bot CPU ${us('runtime')} / ${us('raw')} us per echo`,
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
        notes: `client.on(message) -> client.send, no framework above it; bot CPU ${us('client')} / ${us('raw')} us per echo`,
        detail: {},
      },
      ...(BASE ? baseRows(runs, y) : []),
    ] satisfies Row[];
  },
};

function baseRows(runs: Record<Mode, (EchoResult & { botCpuUs: number })[]>, raw: number): Row[] {
  const yardstick = { name: 'raw-socket echo', value: raw, unit: 'echoes/s' };
  return (['base runtime', 'base client'] as const).map((mode) => {
    const value = median(runs[mode].map((m) => m.echoesPerSecond));
    return {
      scenario: `${mode} echo (${BASE})`,
      status: 'ok',
      server: { value, unit: 'echoes/s' },
      yardstick,
      ratio: value / raw,
      notes: `the same load on another build, same run; bot CPU ${median(runs[mode].map((m) => m.botCpuUs)).toFixed(2)} us per echo`,
    };
  });
}
