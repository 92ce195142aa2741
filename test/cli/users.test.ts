// `mpcrp-bot users` as a real child process against a real server.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/index.js';
import { client, presence, run, server, start } from './cli-harness.js';

let srv: RunningServer;
beforeAll(async () => {
  srv = await server();
});

describe('users', () => {
  it("prints the members in the server's order, one per line, without itself", async () => {
    const a = await client(srv.url, 'ua');
    await a.createRoom('u1');
    const b = await client(srv.url, 'ub');
    await b.joinRoom('u1');
    const r = await run(['users', '-s', srv.url, '-r', 'u1', '-u', 'looker']);
    expect(r).toMatchObject({ code: 0, stdout: 'ua\nub\n', stderr: '' });
    const json = await run(['users', '-s', srv.url, '-r', 'u1', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(['ua', 'ub']);
    // It quit again: only the two members are left.
    expect(await a.getUserList('u1')).toEqual(['ua', 'ub']);
  });

  it('5: a missing room', async () => {
    const r = await run(['users', '-s', srv.url, '-r', 'ghost']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`room 'ghost' does not exist on ${srv.url}`);
  });

  it('--wait-for returns once the user joins (presence)', async () => {
    const host = await client(srv.url, 'whost');
    await host.createRoom('u2');
    const joined = presence(host, (e) => e.event === 'join' && e.user === 'waiter');
    const p = start([
      'users',
      '-s',
      srv.url,
      '-r',
      'u2',
      '-u',
      'waiter',
      '--wait-for',
      'bot2',
      '--timeout',
      '10s',
    ]);
    p.child.stdin.end();
    await joined; // the CLI is in the room and waiting
    expect(p.child.exitCode).toBe(null);
    const bot = await client(srv.url, 'bot2');
    await bot.joinRoom('u2');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('whost\nbot2\n');
  });

  it('--wait-for polls without presence, and waits for the room to exist', async () => {
    const p = start([
      'users',
      '-s',
      srv.url,
      '-r',
      'u3',
      '--extensions',
      'off',
      '--wait-for',
      'bot3',
      '--timeout',
      '10s',
      '--json',
    ]);
    p.child.stdin.end();
    const bot = await client(srv.url, 'bot3');
    await bot.createRoom('u3');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['bot3']);
  });

  it('124 when the user never comes', async () => {
    const host = await client(srv.url, 'u4host');
    await host.createRoom('u4');
    const r = await run([
      'users',
      '-s',
      srv.url,
      '-r',
      'u4',
      '--wait-for',
      'nobody',
      '--timeout',
      '300ms',
    ]);
    expect(r.code).toBe(124);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/'nobody' did not join room 'u4' .* within 300 ms/);
  });

  it('2: no room, or a --wait-for that is not a username', async () => {
    expect((await run(['users', '-s', srv.url])).code).toBe(2);
    expect((await run(['users', '-s', srv.url, '-r', 'x', '--wait-for', 'two words'])).code).toBe(
      2,
    );
  });
});
