import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CWD, client, deadPort, inbox, run, server, start } from '../cli/cli-harness.js';

const ECHO = fileURLToPath(new URL('../../bots/echo.ts', import.meta.url));
const ANNOUNCER = fileURLToPath(new URL('../../examples/announcer.yaml', import.meta.url));

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

  it('says what to do when no bot is given, or --port comes without --embedded', async () => {
    const result = await run(['run', '--server', 'mpcrp://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing to run: name a bot file .*or announcements/);
    const port = await run(['run', ECHO, '--port', '0']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port sets the port of the --embedded server/);
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
