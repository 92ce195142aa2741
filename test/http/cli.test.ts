// `serve --http` and `run --http` as real CLI processes (the bin package.json names).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect, type RoomMessage } from '../../src/client/index.js';
import { CWD, run, start } from '../cli/cli-harness.js';
import { scrape } from '../helpers/prom-text.js';

/** Reports on exit whether node:http and prom-client were loaded (ESM loads CJS into require.cache). */
const PROBE = join(CWD, 'probe-modules.mjs');
writeFileSync(
  PROBE,
  `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
process.on('exit', () => {
  const prom = Object.keys(require.cache).some((k) => k.includes('prom-client'));
  const http = process.moduleLoadList.includes('NativeModule http');
  process.stderr.write('PROBE http=' + http + ' prom=' + prom + '\\n');
});
`,
);

const lineValue = (lines: string[], key: string) =>
  lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);

describe('serve --http', () => {
  it('prints MPCRP_HTTP after MPCRP_URL and serves /metrics of real traffic', async () => {
    const p = start(['serve', '--port', '0', '--http', '127.0.0.1:0', '--log-level', 'warn'], {
      nodeArgs: ['--import', PROBE],
    });
    const lines = await p.waitForLines(2);
    expect(lines[0]).toMatch(/^MPCRP_URL=mpcrp:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^MPCRP_HTTP=http:\/\/127\.0\.0\.1:\d+$/);
    const url = lineValue(lines, 'MPCRP_URL')!;
    const web = lineValue(lines, 'MPCRP_HTTP')!;
    const ann = await connect(url, { username: 'ann' });
    await ann.createRoom('lobby');
    ann.send('lobby', 'hello');
    await ann.ping();
    const m = await scrape(web);
    expect(m.value('mpcrp_frames_received_total', { type: 'Data' })).toBe(1);
    expect(m.value('mpcrp_users')).toBe(1);
    expect((await fetch(`${web}/readyz`)).status).toBe(200);
    ann.destroy();
    p.child.kill('SIGTERM');
    const done = await p.exited;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('PROBE http=true prom=true');
  });

  it('without --http loads neither node:http nor prom-client', async () => {
    const p = start(['serve', '--port', '0', '--log-level', 'warn'], {
      nodeArgs: ['--import', PROBE],
    });
    await p.waitForLines(1);
    p.child.kill('SIGTERM');
    const done = await p.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).not.toContain('MPCRP_HTTP');
    expect(done.stderr).toContain('PROBE http=false prom=false');
  });

  it('refuses a bad address with exit 2 and says what it expects', async () => {
    const done = await run(['serve', '--port', '0', '--http', 'nowhere']);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(
      /--http: "nowhere" is not an address to listen on \(expected HOST:PORT/,
    );
  });
});

describe('run --http', () => {
  it("curl -d 'deployed' .../rooms/ops/messages shows up in room ops for a listening client", async () => {
    const server = start(['serve', '--port', '0', '--log-level', 'warn']);
    const url = lineValue(await server.waitForLines(1), 'MPCRP_URL')!;
    const bot = start(
      [
        'run',
        'bots/echo.ts',
        '-s',
        url,
        '-r',
        'ops',
        '--http',
        '127.0.0.1:0',
        '--log-level',
        'info',
      ],
      { cwd: process.cwd(), env: { MPCRP_HTTP_TOKEN: 'tok' } },
    );
    const web = lineValue(await bot.waitForLines(1), 'MPCRP_HTTP')!;
    expect(web).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await bot.waitForStderr(/joined room|created room/);
    const watcher = await connect(url, { username: 'watcher' });
    await watcher.joinRoom('ops');
    const seen = new Promise<RoomMessage>((resolve) => watcher.once('message', resolve));
    const unauthorized = await fetch(`${web}/rooms/ops/messages`, { method: 'POST', body: 'x' });
    expect(unauthorized.status).toBe(401);
    const res = await fetch(`${web}/rooms/ops/messages`, {
      method: 'POST',
      body: 'deployed',
      headers: { authorization: 'Bearer tok' },
    });
    expect(res.status).toBe(202);
    expect(await seen).toMatchObject({ room: 'ops', text: 'deployed' });
    const m = await scrape(web, { authorization: 'Bearer tok' });
    expect(m.value('mpcrp_bot_connected')).toBe(1);
    expect(m.value('mpcrp_bot_messages_sent_total')).toBe(1);
    watcher.destroy();
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
