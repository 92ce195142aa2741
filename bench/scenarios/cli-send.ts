import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt } from '../lib/dist.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { built, nextTag, startLoad, Target } from '../lib/targets.js';

interface Timed {
  ms: number;
  code: number | null;
  stderr: string;
}

/** Wall time from spawn to exit of one process, with no config file or env to find. */
function timeRun(args: string[], cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: cwd };
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ ms: performance.now() - start, code, stderr });
    });
  });
}

/** Yardstick: the least a Node process can do against the server: connect, then close. */
function bareStartArgs(port: number): string[] {
  return [
    '-e',
    `require('node:net').connect(${port}, '127.0.0.1', function () { this.end(); }).on('error', (e) => { console.error(e.message); process.exit(1); });`,
  ];
}

export const cliSendScenario: Scenario = {
  name: 'cli',
  async run(ctx) {
    const scenario = 'CLI send, cold start to confirmed delivery';
    if (!built('src/server/start.ts')) return [naRow(scenario, 'src/server')];
    if (!built('src/cli/commands/send.ts')) return [naRow(scenario, 'send command')];
    const main = ensureCliBuilt(ctx.progress);
    if (!main) return [naRow(scenario, 'the CLI in dist/')];

    const runs = ctx.quick ? 5 : 21;
    const warm = 2;
    const target = await Target.start('server');
    const load = startLoad();
    const cwd = mkdtempSync(join(tmpdir(), 'mpcrp-bench-'));
    const tag = nextTag();
    const room = `${tag}cli`;
    const cli: number[] = [];
    const bare: number[] = [];
    try {
      await load.call('listen', { port: target.port, name: `${tag}l`, room });
      const url = `mpcrp://127.0.0.1:${target.port}`;
      for (let i = 0; i < warm + runs; i++) {
        // Alternate, so drift on the machine hits both alike.
        const b = await timeRun(bareStartArgs(target.port), cwd);
        if (b.code !== 0) throw new Error(`bare start exited ${b.code}: ${b.stderr}`);
        const c = await timeRun(
          [main, 'send', '-s', url, '-u', `${tag}u${i}`, '-r', room, 'ping from the bench'],
          cwd,
        );
        if (c.code !== 0) throw new Error(`mpcrp-bot send exited ${c.code}: ${c.stderr.trim()}`);
        if (i >= warm) {
          bare.push(b.ms);
          cli.push(c.ms);
        }
      }
      const delivered = await load.call<number>('received');
      if (delivered !== warm + runs) {
        throw new Error(`the room got ${delivered} messages from ${warm + runs} confirmed sends`);
      }
    } finally {
      await target.stop();
      await load.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
    const s = median(cli);
    const y = median(bare);
    ctx.progress(`cli send: median ${s.toFixed(1)} ms, bare start ${y.toFixed(1)} ms`);
    const row: Row = {
      scenario,
      status: 'ok',
      server: { value: s, unit: 'ms' },
      yardstick: { name: 'bare start', value: y, unit: 'ms' },
      ratio: s / y,
      goal: '<= 1.5x',
      met: s / y <= 1.5,
      notes: `median of ${runs} runs, each checked delivered`,
      detail: { runs, warm, cliMs: cli, bareMs: bare },
    };
    return [row];
  },
};
