import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CWD, client, deadPort, inbox, run, server, start } from '../cli/cli-harness.js';

const ECHO = fileURLToPath(new URL('../../bots/echo.ts', import.meta.url));
const ANNOUNCER = fileURLToPath(new URL('../../examples/announcer.yaml', import.meta.url));

const silent: net.Server[] = [];
afterEach(async () => {
  for (const s of silent.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** Accepts TCP and never says a word: a port that is not an MPCRP server, or a hung one. */
async function silentServer(): Promise<{ url: string; accepted: Promise<void> }> {
  const sockets: net.Socket[] = [];
  let accept = () => {};
  const accepted = new Promise<void>((resolve) => {
    accept = resolve;
  });
  const s = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    accept();
  });
  s.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  const close = s.close.bind(s);
  s.close = (cb) => {
    for (const socket of sockets) socket.destroy();
    return close(cb);
  };
  silent.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  return { url: `mpcrp://127.0.0.1:${port}`, accepted };
}

describe('mpcrp-bot run', () => {
  it('runs a bot file against --server, echoes a second client, and exits 0 on SIGTERM', async () => {
    const s = await server();
    const bot = start(['run', ECHO, '--server', s.url, '--room', 'lobby']);
    await bot.waitForStderr(/(created|joined) room room=lobby/);
    const alice = await client(s.url, 'alice');
    await alice.joinRoom('lobby');
    const got = inbox(alice);
    alice.send('lobby', 'is anyone there?');
    const [m] = await got.next(1);
    expect(m).toEqual({ room: 'lobby', text: 'is anyone there?', sender: 'echo' });
    bot.child.kill('SIGTERM');
    const result = await bot.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/shutting down signal=SIGTERM/);
    // It left its rooms on the way out.
    expect(await alice.getUserList('lobby')).toEqual(['alice']);
  });

  it('--embedded --port 0 starts its own server and says where', async () => {
    const bot = start(['run', ECHO, '--embedded', '--port', '0', '-u', 'echoer']);
    await bot.waitForStderr(/started an embedded server on mpcrp:\/\/[\d.]+:\d+/);
    const url = /started an embedded server on (mpcrp:\/\/[\d.]+:\d+)/.exec(bot.stderr())![1]!;
    expect(bot.stderr()).toMatch(/talk to it: npx mpcrp-bot chat( -s \S+)? -r lobby/);
    await bot.waitForStderr(/created room room=lobby/);
    const bob = await client(url, 'bob');
    await bob.joinRoom('lobby');
    const got = inbox(bob);
    bob.send('lobby', 'ping');
    const [m] = await got.next(1);
    expect(m).toEqual({ room: 'lobby', text: 'ping', sender: 'echoer' });
    bot.child.kill('SIGINT');
    const result = await bot.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('keeps retrying an unreachable server, with a clear log line, until stopped', async () => {
    const port = await deadPort();
    const bot = start([
      'run',
      ECHO,
      '--server',
      `mpcrp://127.0.0.1:${port}`,
      '--connect-timeout',
      '1s',
    ]);
    await bot.waitForStderr(/cannot connect; retrying .*attempt=2/);
    expect(bot.stderr()).toMatch(/connection refused/);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });

  it('a username held by a live client: keeps retrying, and says once to pick another with -u', async () => {
    const s = await server();
    await client(s.url, 'echo');
    const bot = start(['run', ECHO, '--server', s.url]);
    await bot.waitForStderr(/username still taken.*attempt=3/);
    // Before: only "an old connection may hold it", forever, with no word of -u.
    const hints = bot.stderr().match(/-u NAME/g) ?? [];
    expect(hints).toHaveLength(1);
    expect(bot.stderr()).toMatch(/another client .*'echo'.*-u NAME/);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });

  it('--connect-timeout bounds the whole handshake, not only TCP', async () => {
    const { url } = await silentServer();
    const started = Date.now();
    const bot = start(['run', ECHO, '--server', url, '--connect-timeout', '1s']);
    await bot.waitForStderr(/cannot connect; retrying .*attempt=1/);
    // Before: the connect took `SetUserName timed out after 10000 ms` whatever the flag said.
    const line = bot
      .stderr()
      .split('\n')
      .find((l) => l.includes('cannot connect'))!;
    expect(line).toMatch(/no MPCRP answer .*within 1000 ms/);
    expect(line).not.toMatch(/10000/);
    expect(Date.now() - started).toBeLessThan(8000);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });

  it('SIGTERM during a handshake that gets no answer exits at once', async () => {
    const { url, accepted } = await silentServer();
    const bot = start(['run', ECHO, '--server', url, '--connect-timeout', '60s']);
    await accepted;
    await bot.waitForStderr(/starting/);
    const signalled = Date.now();
    bot.child.kill('SIGTERM');
    const result = await bot.exited;
    const took = Date.now() - signalled;
    expect(result.code).toBe(0);
    // Before: it waited out the 10 s SetUserName request timeout.
    expect(took, `exited ${took} ms after SIGTERM`).toBeLessThan(2000);
  });

  it('names a bot file that cannot be loaded and exits 2', async () => {
    const broken = join(CWD, 'broken-bot.ts');
    writeFileSync(broken, 'export default { name: 42 };\n');
    const result = await run(['run', broken, '--server', 'mpcrp://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken-bot.ts');
    expect(result.stderr).toMatch(/name must be/);
    const missing = await run(['run', join(CWD, 'nope.ts'), '--server', 'mpcrp://127.0.0.1:1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.ts.*no file/);
  });

  it('a bot outside a project that imports mpcrp-bot: one line saying how to fix it, exit 2', async () => {
    // CWD is a temporary directory with no node_modules above it, as a new user's ~/bots is.
    for (const ext of ['ts', 'mjs']) {
      const lonely = join(CWD, `lonely.${ext}`);
      writeFileSync(
        lonely,
        "import { defineBot } from 'mpcrp-bot';\nexport default defineBot({ name: 'lonely', setup() {} });\n",
      );
      const result = await run(['run', lonely, '--server', 'mpcrp://127.0.0.1:1']);
      expect(result.code).toBe(2);
      // Before: "Cannot find module 'mpcrp-bot'" and then a "Require stack:" over several lines.
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/Require stack/);
      expect(result.stderr).toContain(`lonely.${ext}`);
      expect(result.stderr).toMatch(/imports 'mpcrp-bot'.*not installed/);
      expect(result.stderr).toContain(`npm i mpcrp-bot`);
      expect(result.stderr).toMatch(/plain object .*needs no import/);
    }
  });

  it('says what to do when no bot is given, or --port comes without --embedded', async () => {
    const result = await run(['run', '--server', 'mpcrp://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing to run: name a bot file .*or announcements/);
    // The hint names run's own help (it once read the message's first word: `nothing`).
    expect(result.stderr).toContain('(see `mpcrp-bot run --help`)');
    const port = await run(['run', ECHO, '--port', '0']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port sets the port of the --embedded server/);
    expect(port.stderr).toContain('(see `mpcrp-bot run --help`)');
    // A bad flag is refused before any embedded server starts.
    const replies = await run(['run', ECHO, '--embedded', '--port', '0', '--max-replies', '1.5']);
    expect(replies.code).toBe(2);
    expect(replies.stderr).toContain('(see `mpcrp-bot run --help`)');
    expect(replies.stderr).not.toMatch(/embedded server|listening/);
  });

  it('runs a config with announcements and no bots (examples/announcer.yaml)', async () => {
    const s = await server();
    const bot = start(['run', '-c', ANNOUNCER, '--server', s.url]);
    await bot.waitForStderr(/(created|joined) room room=ops/);
    const watcher = await client(s.url, 'watcher');
    await watcher.joinRoom('team');
    expect(await watcher.getUserList('team')).toContain('announcer');
    bot.child.kill('SIGTERM');
    const result = await bot.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/nothing to run/);
  });
});
