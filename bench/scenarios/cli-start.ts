import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt } from '../lib/dist.js';
import { dataFrame, RawConn } from '../lib/raw-conn.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { built, nextTag, ROOT, startLoad, Target } from '../lib/targets.js';

interface Timed {
  ms: number;
  code: number | null;
  stderr: string;
}

interface Watch {
  /** Called once, when stderr first matches: e.g. to send the message a listener waits for. */
  on: RegExp;
  act: (child: ChildProcess) => void;
  /** Stop the clock there (and end the process), instead of at its exit. */
  stopClock?: boolean;
}

/** Wall time from spawn to exit (or to a line on stderr), with no config file or env to find. */
function timeRun(args: string[], cwd: string, watch?: Watch): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: cwd };
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let seen: number | undefined;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (watch && seen === undefined && watch.on.test(stderr)) {
        seen = performance.now() - start;
        watch.act(child);
      }
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      const ms = watch?.stopClock ? seen : performance.now() - start;
      if (ms === undefined) resolve({ ms: Number.NaN, code: code ?? -1, stderr });
      else resolve({ ms, code: watch?.stopClock ? 0 : code, stderr });
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

interface Case {
  label: string;
  /** The command line after the bin; `i` makes names unique per run. */
  args: (i: number) => string[];
  watch?: Watch;
  goal?: { text: string; max: number };
  notes: string;
}

export const cliStartScenario: Scenario = {
  name: 'cli',
  async run(ctx) {
    const labels = [
      'CLI --version, cold start to exit',
      'CLI send, cold start to confirmed delivery',
      'CLI listen -C 1, cold start to the first message',
      'CLI run (one bot), cold start to in its room',
    ];
    if (!built('src/server/start.ts')) return labels.map((l) => naRow(l, 'src/server'));
    const bin = ensureCliBuilt(ctx.progress);
    if (!bin) return labels.map((l) => naRow(l, 'the CLI in dist/'));
    // Another build's CLI (e.g. the last release's dist/cli/main.js), timed in the same
    // alternation, so a change is measured before and after in one run.
    const before = process.env.MPCRP_BENCH_CLI_BEFORE;

    const target = await Target.start('server');
    const load = startLoad();
    const cwd = mkdtempSync(join(tmpdir(), 'mpcrp-bench-'));
    const tag = nextTag();
    const room = `${tag}cli`;
    const url = `mpcrp://127.0.0.1:${target.port}`;
    // The listener's message comes from this process: no IPC hop inside the timed span.
    const poker = await RawConn.open(target.port);
    const rows: Row[] = [];
    try {
      await load.call('listen', { port: target.port, name: `${tag}l`, room });
      if ((await poker.command(1, `${tag}p`)) !== '0') throw new Error('poker name refused');
      if ((await poker.command(5, room)) !== `${room}:0`) throw new Error('poker cannot join');
      const cases: Case[] = [
        {
          label: labels[0]!,
          args: () => ['--version'],
          notes: 'no server contact',
        },
        {
          label: labels[1]!,
          args: (i) => ['send', '-s', url, '-u', `${tag}u${i}`, '-r', room, 'ping from the bench'],
          goal: { text: '<= 1.2x', max: 1.2 },
          notes: 'each checked delivered',
        },
        {
          label: labels[2]!,
          args: (i) => ['listen', '-s', url, '-u', `${tag}m${i}`, '-r', room, '-C', '1'],
          // Once it is in the room (its stderr says so), the message it waits for is sent.
          watch: {
            on: /listening to/,
            act: () => poker.write(dataFrame(room, Buffer.from('for the listener'))),
          },
          notes: 'message sent when it reports it joined',
        },
        {
          label: labels[3]!,
          args: (i) => [
            'run',
            join(ROOT, 'bots/echo.ts'),
            '-s',
            url,
            '-u',
            `${tag}b${i}`,
            '-r',
            room,
          ],
          // Ready is the bot in its room; then it is stopped (SIGTERM, its usual shutdown).
          watch: {
            on: /(joined|created) room/,
            act: (child) => child.kill('SIGTERM'),
            stopClock: true,
          },
          notes: 'bots/echo.ts (TypeScript, through tsx)',
        },
      ];
      for (const c of cases) {
        const runs = ctx.smoke
          ? 1
          : ctx.quick
            ? c === cases[3]
              ? 3
              : 5
            : c === cases[3]
              ? 11
              : 21;
        const warm = 2;
        const cli: number[] = [];
        const bare: number[] = [];
        const old: number[] = [];
        const receivedBefore = await load.call<number>('received');
        for (let i = 0; i < warm + runs; i++) {
          // Alternate, so drift on the machine hits both alike.
          const b = await timeRun(bareStartArgs(target.port), cwd);
          if (b.code !== 0) throw new Error(`bare start exited ${b.code}: ${b.stderr}`);
          const r = await timeRun([bin, ...c.args(i)], cwd, c.watch);
          if (r.code !== 0 || Number.isNaN(r.ms)) {
            throw new Error(`mpcrp-bot ${c.args(i)[0]} exited ${r.code}: ${r.stderr.trim()}`);
          }
          const o = before
            ? await timeRun([before, ...c.args(runs + warm + i)], cwd, c.watch)
            : undefined;
          if (o && (o.code !== 0 || Number.isNaN(o.ms))) {
            throw new Error(`${before} ${c.args(i)[0]} exited ${o.code}: ${o.stderr.trim()}`);
          }
          if (i >= warm) {
            bare.push(b.ms);
            cli.push(r.ms);
            if (o) old.push(o.ms);
          }
        }
        if (c === cases[1]) {
          const delivered = (await load.call<number>('received')) - receivedBefore;
          const sent = (warm + runs) * (before ? 2 : 1);
          if (delivered !== sent) {
            throw new Error(`the room got ${delivered} messages from ${sent} confirmed sends`);
          }
        }
        const s = median(cli);
        const y = median(bare);
        const was = old.length > 0 ? median(old) : undefined;
        const wasNote =
          was === undefined ? '' : `; before: ${was.toFixed(1)} ms (${(was / y).toFixed(3)}x)`;
        ctx.progress(
          `${c.label}: median ${s.toFixed(1)} ms, bare start ${y.toFixed(1)} ms${wasNote}`,
        );
        rows.push({
          scenario: c.label,
          status: 'ok',
          server: { value: s, unit: 'ms' },
          yardstick: { name: 'bare start', value: y, unit: 'ms' },
          ratio: s / y,
          ...(c.goal ? { goal: c.goal.text, met: s / y <= c.goal.max } : { goal: 'none set' }),
          notes: `median of ${runs} runs; ${c.notes}${wasNote}`,
          detail: {
            runs,
            warm,
            cliMs: cli,
            bareMs: bare,
            ...(before ? { before, beforeMs: old } : {}),
          },
        });
      }
    } finally {
      poker.close();
      await target.stop();
      await load.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
    return rows;
  },
};
