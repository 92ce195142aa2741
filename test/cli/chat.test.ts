// `mpcrp-bot chat` driven through its stdin, as a real child process against a real server.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/index.js';
import { BIN, CWD, client, inbox, presence, run, server, start } from './cli-harness.js';

let srv: RunningServer;
beforeAll(async () => {
  srv = await server();
});

describe('chat with stdin not a terminal', () => {
  it('sends lines as messages, runs commands in order, and exits 0 at the end of input', async () => {
    const a = await client(srv.url, 'ca');
    await a.createRoom('c1');
    const b = await client(srv.url, 'cb');
    await b.createRoom('c2');
    const boxA = inbox(a);
    const boxB = inbox(b);
    const input = [
      'hello c1',
      '/users',
      '/join c2',
      'hello c2',
      '//slash stays',
      '/switch c1',
      'back in c1',
      '/quit c2',
      '/rooms',
      '',
    ].join('\n');
    const r = await run(['chat', '-s', srv.url, '-r', 'c1', '-u', 'piper'], { input });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        '* users in [c1]: ca, piper',
        '* joined [c2]',
        '* now talking in [c1]',
        '* left [c2]',
        '* rooms: c1 (2), c2 (1)',
      ]),
    );
    // Exit 0 came after a confirming round trip: everything is already relayed.
    expect((await boxA.next(2)).map((m) => m.text)).toEqual(['hello c1', 'back in c1']);
    expect((await boxB.next(2)).map((m) => m.text)).toEqual(['hello c2', '/slash stays']);
  });

  it('splits a long line so each piece arrives with its sender on an extension server', async () => {
    const host = await client(srv.url, 'lhost');
    await host.createRoom('c8');
    const box = inbox(host);
    const line = 'z'.repeat(150_000);
    const r = await run(['chat', '-s', srv.url, '-r', 'c8', '-u', 'longliner'], {
      input: `${line}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    const got = await box.next(3);
    expect(got.map((m) => m.text).join('')).toBe(line);
    expect(got.map((m) => m.sender)).toEqual(got.map(() => 'longliner'));
  });

  it('prints incoming messages and presence while it waits for input', async () => {
    const host = await client(srv.url, 'chost');
    await host.createRoom('c3');
    const joined = presence(host, (e) => e.event === 'join' && e.user === 'reader');
    const p = start(['chat', '-s', srv.url, '-r', 'c3', '-u', 'reader']);
    await joined;
    host.send('c3', 'hi reader');
    expect(await p.waitForLines(1)).toEqual(['[c3] chost: hi reader']);
    const other = await client(srv.url, 'late');
    await other.joinRoom('c3');
    expect((await p.waitForLines(2))[1]).toBe('* [c3] late joined');
    p.child.stdin.end('/exit\n');
    expect((await p.exited).code).toBe(0);
  });

  it('reports a failed command on stderr, carries on, and exits with the first failure', async () => {
    const host = await client(srv.url, 'ehost');
    await host.createRoom('c4');
    const box = inbox(host);
    const r = await run(['chat', '-s', srv.url, '-r', 'c4'], {
      input: '/join nowhere\n/bogus\n/switch elsewhere\nstill here\n',
    });
    // Before: 0, so a script could not tell that its /join had failed.
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/room 'nowhere' does not exist; \/create nowhere/);
    expect(r.stderr).toMatch(/unknown command \/bogus; \/help/);
    expect(r.stderr).toMatch(/not in \[elsewhere\]; \/join elsewhere first/);
    expect((await box.next(1)).map((m) => m.text)).toEqual(['still here']);
  });

  it('2 when the first failing line is an unknown command or lacks its argument', async () => {
    const host = await client(srv.url, 'uhost');
    await host.createRoom('c7');
    const box = inbox(host);
    for (const first of ['/bogus', '/join']) {
      const r = await run(['chat', '-s', srv.url, '-r', 'c7'], {
        input: `${first}\n/join nowhere\nafter ${first}\n`,
      });
      expect(r.code, r.stderr).toBe(2);
    }
    // The lines after a failure still ran.
    expect((await box.next(2)).map((m) => m.text)).toEqual(['after /bogus', 'after /join']);
  });

  it('5: a missing room at start; --create makes it', async () => {
    const r = await run(['chat', '-s', srv.url, '-r', 'c5'], { input: '' });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`room 'c5' does not exist on ${srv.url}`);
    expect((await run(['chat', '-s', srv.url, '-r', 'c5', '--create'], { input: '' })).code).toBe(
      0,
    );
  });

  it('6 when the server goes away', async () => {
    const own = await server();
    const host = await client(own.url, 'h6');
    await host.createRoom('c6');
    const joined = presence(host, (e) => e.event === 'join');
    const p = start(['chat', '-s', own.url, '-r', 'c6']);
    await joined;
    await own.close();
    const r = await p.exited;
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/connection to .* lost/);
  });
});

describe('chat in a terminal', () => {
  it('prompts, sends what is typed, and leaves on Ctrl-D', async () => {
    const host = await client(srv.url, 'thost');
    await host.createRoom('t1');
    const box = inbox(host);
    // script(1) runs chat on a pseudo-terminal fed from our pipe.
    const child = spawn(
      'script',
      ['-qec', `${process.execPath} ${BIN} chat -s ${srv.url} -r t1 -u typist`, '/dev/null'],
      { cwd: CWD },
    );
    let out = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (pattern.test(out)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stdout.on('data', check);
        check();
      });
    await seen(/t1> /);
    child.stdin.write('typed line\r');
    expect((await box.next(1)).map((m) => m.text)).toEqual(['typed line']);
    host.send('t1', 'reply');
    await seen(/\[t1\] thost: reply/);
    child.stdin.write('\x04');
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
  });
});
