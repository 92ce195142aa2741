// `mpcrp-bot send` as a real child process against a real server.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/codec.js';
import type { RunningServer } from '../../src/server/index.js';
import { BIN, CWD, client, deadPort, fakeServer, inbox, run, server } from './cli-harness.js';

let srv: RunningServer;
let n = 0;
/** A fresh room with a listening member, so tests never see each other's messages. */
async function listener(prefix = 'r') {
  n += 1;
  const room = `${prefix}${n}`;
  const c = await client(srv.url, `watch${n}`);
  await c.createRoom(room);
  return { room, c, box: inbox(c) };
}

beforeAll(async () => {
  srv = await server();
});

describe('send: delivery', () => {
  it('sends its arguments as one message, exits 0 and leaves stdout clean', async () => {
    const { room, box } = await listener();
    const r = await run([
      'send',
      '-s',
      srv.url,
      '-r',
      room,
      '-u',
      'sender1',
      'disk',
      'almost',
      'full',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    // Exit 0 promises the server relayed it: it is already on its way to us.
    const [m] = await box.next(1);
    expect(m).toEqual({ room, text: 'disk almost full', sender: 'sender1' });
  });

  it('keeps numeric-looking arguments as text on both parsers', async () => {
    const { room, box } = await listener();
    // --no-split is unknown to the fast parser, so this run goes through yargs.
    for (const extra of [[], ['--no-split']]) {
      expect((await run(['send', '-s', srv.url, '-r', room, ...extra, '007', '1e3'])).code).toBe(0);
    }
    expect((await box.next(2)).map((m) => m.text)).toEqual(['007 1e3', '007 1e3']);
  });

  it('reads -m, -f FILE and stdin, dropping one final line break', async () => {
    const { room, box } = await listener();
    const file = join(CWD, 'msg.txt');
    writeFileSync(file, 'from a file\n');
    expect((await run(['send', '-s', srv.url, '-r', room, '-m', 'from -m'])).code).toBe(0);
    expect((await run(['send', '-s', srv.url, '-r', room, '-f', file])).code).toBe(0);
    const r = await run(['send', '-s', srv.url, '-r', room], { input: 'line one\nline two\n\n' });
    expect(r.code).toBe(0);
    expect((await box.next(3)).map((m) => m.text)).toEqual([
      'from -m',
      'from a file',
      'line one\nline two\n',
    ]);
  });

  it('sends to every -r room, and --create makes a missing one', async () => {
    const a = await listener();
    const b = await listener();
    const r = await run([
      'send',
      '-s',
      srv.url,
      '-r',
      a.room,
      '-r',
      b.room,
      '-r',
      'fresh',
      '--create',
      'hi',
    ]);
    expect(r.code).toBe(0);
    expect((await a.box.next(1))[0]?.text).toBe('hi');
    expect((await b.box.next(1))[0]?.text).toBe('hi');
    const watcher = await client(srv.url, 'freshcheck');
    await watcher.joinRoom('fresh'); // exists now: rooms outlive their creator
  });

  it('-l sends 1,000 piped lines complete and in order, the last one without a newline too', async () => {
    const { room, box } = await listener();
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`);
    const r = await run(['send', '-s', srv.url, '-r', room, '-l'], { input: lines.join('\n') });
    expect(r.code).toBe(0);
    expect((await box.next(1000)).map((m) => m.text)).toEqual(lines);
  });

  it('-l skips blank lines, strips CR, and exits 0 on empty input', async () => {
    const { room, box } = await listener();
    expect((await run(['send', '-s', srv.url, '-r', room, '-l'], { input: '' })).code).toBe(0);
    const r = await run(['send', '-s', srv.url, '-r', room, '-l'], { input: 'a\r\n\nb\n' });
    expect(r.code).toBe(0);
    expect((await box.next(2)).map((m) => m.text)).toEqual(['a', 'b']);
    expect(box.messages).toHaveLength(2);
  });

  it('--split sends text too long for one frame as several messages that add up to it', async () => {
    const { room, box } = await listener();
    const text = 'é'.repeat(40_000); // 80,000 bytes
    const r = await run(['send', '-s', srv.url, '-r', room, '--split', '-f', '-'], { input: text });
    expect(r.code).toBe(0);
    const got = await box.next(2);
    expect(got.map((m) => m.text).join('')).toBe(text);
  });

  it('--split sizes pieces so each arrives with its sender on a server with the sender extension', async () => {
    const { room, box } = await listener();
    // The listener was granted `sender`, so it gets DataFrom: the Data payload plus 1 byte
    // and the sender's name. A piece filling a whole Data frame left no room for that.
    const text = 'x'.repeat(150_000);
    const r = await run(['send', '-s', srv.url, '-r', room, '-u', 'splitter', '--split'], {
      input: text,
    });
    expect(r.code, r.stderr).toBe(0);
    const got = await box.next(3);
    expect(got.map((m) => m.text).join('')).toBe(text);
    expect(got.map((m) => m.sender)).toEqual(got.map(() => 'splitter'));
  });

  it('claims a numbered name with --on-name-taken suffix instead of failing', async () => {
    const { room, box } = await listener();
    await client(srv.url, 'busy');
    const r = await run([
      'send',
      '-s',
      srv.url,
      '-r',
      room,
      '-u',
      'busy',
      '--on-name-taken',
      'suffix',
      'x',
    ]);
    expect(r.code).toBe(0);
    expect((await box.next(1))[0]?.sender).toBe('busy-2');
  });

  it('takes the server and user from MPCRP_URL and MPCRP_USER, and flags beat them', async () => {
    const { room, box } = await listener();
    const env = { MPCRP_URL: srv.url, MPCRP_USER: 'envuser' };
    expect((await run(['send', '-r', room, 'a'], { env })).code).toBe(0);
    expect((await run(['send', '-r', room, '-u', 'flaguser', 'b'], { env })).code).toBe(0);
    expect((await box.next(2)).map((m) => m.sender)).toEqual(['envuser', 'flaguser']);
  });

  it('reads server and user from ./mpcrp-bot.yaml, below env and flags', async () => {
    const { room, box } = await listener();
    const dir = mkdtempSync(join(CWD, 'cfg-'));
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), `server: ${srv.url}\nuser: fromfile\n`);
    expect((await run(['send', '-r', room, 'a'], { cwd: dir })).code).toBe(0);
    const env = { MPCRP_USER: 'fromenv' };
    expect((await run(['send', '-r', room, 'b'], { cwd: dir, env })).code).toBe(0);
    expect((await run(['send', '-r', room, '-u', 'fromflag', 'c'], { cwd: dir, env })).code).toBe(
      0,
    );
    expect((await box.next(3)).map((m) => m.sender)).toEqual(['fromfile', 'fromenv', 'fromflag']);
  });

  it('2: a broken config file, named with its problem, before connecting', async () => {
    const dir = mkdtempSync(join(CWD, 'badcfg-'));
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), 'server: [not, a, url]\n');
    const r = await run(['send', '-r', 'x', 'hi'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mpcrp-bot\.yaml:1:/);
  });

  it('generates a valid cli-<host>-<pid> name when none is given', async () => {
    const { room, box } = await listener();
    expect((await run(['send', '-s', srv.url, '-r', room, 'x'])).code).toBe(0);
    const sender = (await box.next(1))[0]?.sender ?? '';
    expect(sender).toMatch(/^cli-(.*-)?\d+$/);
    expect([...sender].length).toBeLessThanOrEqual(20);
  });
});

describe('send: start-up', () => {
  it('loads the bundle alone: neither yargs, yaml, tsx nor any module of dist/', async () => {
    const { room } = await listener();
    // Every file the process loads, through require() or import(), reported at exit.
    const trace = join(CWD, 'trace-loads.cjs');
    writeFileSync(
      trace,
      `const { register } = require('node:module');
const { writeSync } = require('node:fs');
register('data:text/javascript,' + encodeURIComponent(\`
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  writeSync(2, 'LOADED ' + r.url + '\\\\n');
  return r;
}\`));
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) writeSync(2, 'LOADED ' + file + '\\n');
});
`,
    );
    const r = await run(['send', '-s', srv.url, '-r', room, 'hi'], {
      nodeArgs: ['--require', trace],
    });
    expect(r.code).toBe(0);
    const loaded = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED ') && !/trace-loads|^LOADED data:/.test(l))
      .map((l) => l.slice('LOADED '.length));
    expect(loaded.filter((l) => !l.startsWith('node:'))).toEqual([
      BIN,
      BIN.replace(/mpcrp-bot\.cjs$/, 'bundle.cjs'),
    ]);
  });
});

describe('send: failures have their exit code and say what to do', () => {
  it('2: no room given', async () => {
    const r = await run(['send', '-s', srv.url, 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-r ROOM/);
  });

  it('2: an unknown flag never sends anything', async () => {
    const { room, box } = await listener();
    const r = await run(['send', '-s', srv.url, '-r', room, '--bogus', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
    expect((await run(['send', '-s', srv.url, '-r', room, 'marker'])).code).toBe(0);
    expect((await box.next(1)).map((m) => m.text)).toEqual(['marker']);
  });

  it('2: no text and stdin is a terminal: a usage error at once, never a wait', async () => {
    // script(1) gives the child a pseudo-terminal as stdin.
    const child = spawn(
      'script',
      ['-qec', `${process.execPath} ${BIN} send -s ${srv.url} -r x`, '/dev/null'],
      {
        cwd: CWD,
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(2);
    expect(out).toMatch(/no text to send.*a terminal is never read/);
  });

  it('3: nothing listening on the port', async () => {
    const port = await deadPort();
    const r = await run(['send', '-s', `mpcrp://127.0.0.1:${port}`, '-r', 'x', 'hi']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`cannot connect to mpcrp://127.0.0.1:${port}.*refused`));
  });

  it('3: a server that accepts but never answers the handshake', async () => {
    const silent = await fakeServer(() => undefined);
    const r = await run(['send', '-s', silent.url, '-r', 'x', '--connect-timeout', '300ms', 'hi']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no MPCRP answer.*--connect-timeout/);
  });

  it('4: the username is held by another client', async () => {
    await client(srv.url, 'holder');
    const r = await run(['send', '-s', srv.url, '-r', 'x', '-u', 'holder', 'hi']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /username 'holder' is taken on mpcrp:.*--user NAME.*--on-name-taken suffix/,
    );
  });

  it('4: the username is invalid', async () => {
    const r = await run(['send', '-s', srv.url, '-r', 'x', '-u', 'has space', 'hi']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/invalid username/);
  });

  it('5: the room does not exist, with the server and the fix in the message', async () => {
    const r = await run(['send', '-s', srv.url, '-r', 'alerts', 'hi']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(
      `room 'alerts' does not exist on ${srv.url}; create it with --create or \`mpcrp-bot room create alerts\``,
    );
  });

  it('7: the server confirms nothing within --timeout', async () => {
    // Answers SetUserName and JoinRoom, then never the confirming round trip.
    const mute = await fakeServer((type, payload) => {
      if (type === 1) return encodeFrame(2, '0');
      if (type === 5) return encodeFrame(6, `${payload.toString()}:0`);
      return undefined;
    });
    const r = await run(['send', '-s', mute.url, '-r', 'x', '--timeout', '300ms', 'hi']);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/delivery is not confirmed.*--timeout/);
  });

  it('6: the server drops the connection before confirming', async () => {
    const rude = await fakeServer((type, payload) => {
      if (type === 1) return encodeFrame(2, '0');
      if (type === 5) return encodeFrame(6, `${payload.toString()}:0`);
      for (const s of rude.sockets) s.destroy();
      return undefined;
    });
    const r = await run(['send', '-s', rude.url, '-r', 'x', 'hi']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/connection to .* lost before the server confirmed/);
  });

  it('8: empty input', async () => {
    const { room } = await listener();
    const r = await run(['send', '-s', srv.url, '-r', room], { input: '\n' });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/empty/);
  });

  it('8: too long for one frame without --split, before connecting', async () => {
    const port = await deadPort();
    const r = await run(['send', '-s', `mpcrp://127.0.0.1:${port}`, '-r', 'x'], {
      input: 'x'.repeat(70_000),
    });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/70000 bytes.*--split/);
  });

  it('8: an unreadable file, and text that is not UTF-8', async () => {
    const missing = await run(['send', '-s', srv.url, '-r', 'x', '-f', join(CWD, 'nope.txt')]);
    expect(missing.code).toBe(8);
    expect(missing.stderr).toMatch(/cannot read message file .*nope\.txt \(ENOENT\)/);
    const binary = await run(['send', '-s', srv.url, '-r', 'x'], {
      input: Buffer.from([0xff, 0xfe]),
    });
    expect(binary.code).toBe(8);
    expect(binary.stderr).toMatch(/not valid UTF-8/);
  });

  it('8 in -l mode: what came before the long line is still confirmed', async () => {
    const { room, box } = await listener();
    const input = `first\n${'y'.repeat(70_000)}\nnever\n`;
    const r = await run(['send', '-s', srv.url, '-r', room, '-l'], { input });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/line 2 is 70000 bytes/);
    expect((await run(['send', '-s', srv.url, '-r', room, 'marker'])).code).toBe(0);
    expect((await box.next(2)).map((m) => m.text)).toEqual(['first', 'marker']);
  });
});
