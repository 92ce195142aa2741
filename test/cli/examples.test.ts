// examples/scripts/*.sh run as CI would: against a port-0 server named by MPCRP_URL.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { RoomExistsError } from '../../src/errors.js';
import type { RunningServer } from '../../src/server/index.js';
import {
  BIN,
  type CliProcess,
  client,
  inbox,
  presence,
  server,
  startProcess,
} from './cli-harness.js';

const dir = fileURLToPath(new URL('../../examples/scripts/', import.meta.url));
let srv: RunningServer;
let env: Record<string, string>;

beforeAll(async () => {
  srv = await server();
  env = { MPCRP_URL: srv.url, MPCRP_BOT: `${process.execPath} ${BIN}` };
});

function script(name: string, ...args: string[]): CliProcess {
  const p = startProcess('bash', [`${dir}${name}`, ...args], { env });
  return p;
}
const runScript = async (name: string, ...args: string[]) => {
  const p = script(name, ...args);
  p.child.stdin.end();
  return p.exited;
};

function hasJq(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v jq'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('examples/scripts', () => {
  it('notify.sh delivers its message (creating the room) and exits 0', async () => {
    const r = await runScript('notify.sh', 'deploys', '-n', 'build 42 passed');
    expect(r).toMatchObject({ code: 0, stdout: '' });
    const c = await client(srv.url, 'deploywatch');
    await c.joinRoom('deploys'); // it exists now
    const box = inbox(c);
    expect((await runScript('notify.sh', 'deploys', 'second')).code).toBe(0);
    expect((await box.next(1)).map((m) => m.text)).toEqual(['second']);
  });

  it('notify.sh fails with exit 3 when no server is there', async () => {
    const p = startProcess('bash', [`${dir}notify.sh`, 'x', 'y'], {
      env: { ...env, MPCRP_URL: 'mpcrp://127.0.0.1:1' },
    });
    p.child.stdin.end();
    const r = await p.exited;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot connect/);
  });

  it('cron-disk-report.sh posts the df output as one message', async () => {
    const c = await client(srv.url, 'opswatch');
    await c.createRoom('ops');
    const box = inbox(c);
    const r = await runScript('cron-disk-report.sh', 'ops');
    expect(r.code).toBe(0);
    const [m] = await box.next(1);
    expect(m?.text).toMatch(/^disk report from [^\n]+\n[\s\S]*\/$/m);
  });

  it('setup-rooms.sh is idempotent and leaves rooms its OWNER can destroy', async () => {
    expect((await runScript('setup-rooms.sh', 'sa', 'sb')).code).toBe(0);
    expect((await runScript('setup-rooms.sh', 'sa', 'sb')).code).toBe(0);
    const c = await client(srv.url, 'setupcheck');
    await expect(c.createRoom('sa')).rejects.toBeInstanceOf(RoomExistsError);
    const owner = await client(srv.url, 'ops');
    await owner.destroyRoom('sb');
  });

  it('wait-for-bot.sh returns once the bot has joined', async () => {
    const host = await client(srv.url, 'lobbyhost');
    await host.createRoom('wl');
    const waiting = presence(host, (e) => e.event === 'join');
    const p = script('wait-for-bot.sh', 'wl', 'greeter', '10s');
    p.child.stdin.end();
    await waiting;
    const bot = await client(srv.url, 'greeter');
    await bot.joinRoom('wl');
    const r = await p.exited;
    expect(r).toMatchObject({ code: 0, stdout: 'greeter is in wl\n' });
  });

  it('wait-for-bot.sh exits 124 when the bot never comes', async () => {
    const host = await client(srv.url, 'wl2host');
    await host.createRoom('wl2');
    expect((await runScript('wait-for-bot.sh', 'wl2', 'absent', '300ms')).code).toBe(124);
  });

  it('tail-json.sh formats `listen -o json` with jq (or says it needs jq)', async () => {
    const host = await client(srv.url, 'tjhost');
    await host.createRoom('tj');
    const p = script('tail-json.sh', 'tj', '2');
    p.child.stdin.end();
    if (!hasJq()) {
      const r = await p.exited;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/needs jq/);
      return;
    }
    await p.waitForStderr(/listening to /);
    host.send('tj', 'one');
    host.send('tj', 'two');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\S+Z tjhost: one\n\S+Z tjhost: two\n$/);
  });
});
