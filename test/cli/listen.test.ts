// `mpcrp-bot listen` as a real child process against a real server.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/index.js';
import { client, run, server, start } from './cli-harness.js';

let srv: RunningServer;
let n = 0;
/** A fresh room and a client in it that will talk. */
async function talker() {
  n += 1;
  const room = `l${n}`;
  const c = await client(srv.url, `talk${n}`);
  await c.createRoom(room);
  return { room, c };
}

/** Starts listen and resolves once it has joined (it says so on stderr). */
async function listening(args: string[]) {
  const p = start(['listen', '-s', srv.url, ...args]);
  p.child.stdin.end();
  await p.waitForStderr(/listening to /);
  return p;
}

beforeAll(async () => {
  srv = await server();
});

describe('listen', () => {
  it('-C 3 prints exactly three messages, in order, and exits 0', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '-C', '3']);
    for (const text of ['one', 'two', 'three', 'four', 'five']) c.send(room, text);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `[${room}] ${c.username}: one\n[${room}] ${c.username}: two\n[${room}] ${c.username}: three\n`,
    );
  });

  it('--until exits 0 on the first match, after printing it', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '--until', '^deploy(ed)? ok$', '-o', 'raw']);
    for (const text of ['building', 'deployed fail', 'deployed ok', 'after']) c.send(room, text);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('building\ndeployed fail\ndeployed ok\n');
  });

  it('-W exits 124 when --until never matched, saying so on stderr', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '--until', 'never', '-W', '400ms']);
    c.send(room, 'something else');
    const r = await p.exited;
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/timed out: no message matched --until \/never\/ within 400 ms/);
  });

  it('-o json prints one object per line with room, sender, text and an ISO time', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '-o', 'json', '-C', '2']);
    c.send(room, 'a "quoted"\nline');
    c.send(room, '');
    const lines = (await p.exited).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(first).toEqual({
      room,
      sender: c.username,
      text: 'a "quoted"\nline',
      time: expect.any(String),
    });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(JSON.parse(lines[1]!).text).toBe('');
  });

  it('shows [room] text without a sender when extensions are off', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '--extensions', 'off', '-C', '1']);
    c.send(room, 'anon');
    expect((await p.exited).stdout).toBe(`[${room}] anon\n`);
  });

  it('listens to several rooms at once', async () => {
    const a = await talker();
    const b = await talker();
    const p = await listening(['-r', a.room, '-r', b.room, '-C', '2', '-o', 'json']);
    a.c.send(a.room, 'from a');
    await p.waitForLines(1);
    b.c.send(b.room, 'from b');
    const rooms = (await p.exited).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).room);
    expect(rooms).toEqual([a.room, b.room]);
  });

  it('--exec runs the command per message, in order, with text on stdin and room/sender in env', async () => {
    const { room, c } = await talker();
    const p = await listening([
      '-r',
      room,
      '-C',
      '3',
      '--exec',
      'printf "%s|%s|%s\\n" "$MPCRP_ROOM" "$MPCRP_SENDER" "$(cat)"',
    ]);
    for (const text of ['m1', 'm2', 'm3']) c.send(room, text);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${room}|${c.username}|m1\n${room}|${c.username}|m2\n${room}|${c.username}|m3\n`,
    );
  });

  it('--exec: a failing command is reported and listening goes on', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '-C', '2', '--exec', 'cat; echo; exit 3']);
    c.send(room, 'x');
    c.send(room, 'y');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('x\ny\n');
    expect(r.stderr).toMatch(/--exec command exited with status 3 .*continuing/);
  });

  it('5: a missing room, and --create makes it', async () => {
    const missing = await run(['listen', '-s', srv.url, '-r', 'nosuch', '-C', '1']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain(`room 'nosuch' does not exist on ${srv.url}`);
    const p = await listening(['-r', 'madebylisten', '--create', '-C', '1']);
    const c = await client(srv.url, 'joiner');
    await c.joinRoom('madebylisten');
    c.send('madebylisten', 'hello');
    expect((await p.exited).code).toBe(0);
  });

  it('130 on SIGINT, after cleaning up (its name is free again)', async () => {
    const { room } = await talker();
    const p = await listening(['-r', room, '-u', 'sigint1']);
    p.child.kill('SIGINT');
    const r = await p.exited;
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    await client(srv.url, 'sigint1'); // would fail with NameTakenError if still connected
  });

  it('6 when the server goes away mid-listen', async () => {
    const own = await server();
    const c = await client(own.url, 'host');
    await c.createRoom('doomed');
    const p = start(['listen', '-s', own.url, '-r', 'doomed']);
    await p.waitForStderr(/listening to /);
    await own.close();
    const r = await p.exited;
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/connection to .* lost .*run listen again/);
  });

  it('exits 0 quietly when its reader goes away (listen | head -1)', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room]);
    c.send(room, 'first');
    await p.waitForLines(1);
    p.child.stdout.destroy(); // the reader is gone: the next write gets EPIPE
    c.send(room, 'second');
    c.send(room, 'third');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });

  it('-F prints each message through the template, one line each', async () => {
    const { room, c } = await talker();
    const p = await listening(['-r', room, '-C', '2', '-F', '%r|%u|%t|%l|100%%']);
    for (const text of ['one', 'two two']) c.send(room, text);
    const r = await p.exited;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `${room}|${c.username}|one|3|100%\n${room}|${c.username}|two two|7|100%\n`,
    );
  });

  it('-F: a bad template, or -F with -o or --exec, is exit 2 in one line saying what to do', async () => {
    for (const [args, problem] of [
      [['-F', '%r %q'], /-F "%r %q": unknown %q at column 4; .*%r room/],
      [['-F', '%t', '-o', 'json'], /-F and -o both choose the output: give one/],
      [['-F', '%t', '--exec', 'cat'], /-F formats printed output; --exec prints nothing/],
    ] as const) {
      const r = await run(['listen', '-s', srv.url, '-r', 'x', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(problem);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('2: bad -C, --until or -o values', async () => {
    for (const args of [
      ['-r', 'x', '-C', '0'],
      ['-r', 'x', '--until', '('],
      ['-r', 'x', '-o', 'xml'],
      ['-C', '1'],
    ]) {
      const r = await run(['listen', '-s', srv.url, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});
