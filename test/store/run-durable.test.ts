// The "done when": karma counts bob++ twice, `run` is killed with -9 and started
// again, and `!karma bob` answers 2 — with the local store and with Redis.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, inbox, run, server, start } from '../cli/cli-harness.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';

const KARMA = fileURLToPath(new URL('../../bots/karma.ts', import.meta.url));

async function karmaRun(url: string, extra: string[], cwd?: string) {
  const bot = start(
    ['run', KARMA, '--server', url, '--room', 'lobby', ...extra],
    cwd ? { cwd } : {},
  );
  await bot.waitForStderr(/(created|joined) room room=lobby/);
  return bot;
}

/** Says `text` as alice and resolves with the bot's next answer. */
async function ask(url: string, name: string, lines: string[]): Promise<string> {
  const alice = await client(url, name);
  await alice.joinRoom('lobby');
  const got = inbox(alice);
  for (const line of lines) alice.send('lobby', line);
  alice.send('lobby', '!karma bob');
  const [m] = await got.next(1);
  await alice.close();
  return m!.text;
}

async function survivesKill(extra: string[]) {
  const s = await server();
  const first = await karmaRun(s.url, extra);
  // The answer comes after both updates resolved: the plugin handles its events in order.
  expect(await ask(s.url, 'alice', ['bob++', 'bob++'])).toBe('bob has karma 2');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  const second = await karmaRun(s.url, extra);
  expect(await ask(s.url, 'carol', [])).toBe('bob has karma 2');
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
}

describe('karma survives kill -9 of run', () => {
  it('with the local store (--data DIR)', async () => {
    const data = mkdtempSync(join(tmpdir(), 'mpcrp-karma-'));
    await survivesKill(['--data', data]);
  });

  describe('with Redis (--store redis://)', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.stop());
    it('keeps the count in Redis', async () => {
      await survivesKill(['--store', redis.url]);
    });
  });

  it('data: in the config resolves against the config file, not the working directory', async () => {
    const s = await server();
    const project = mkdtempSync(join(tmpdir(), 'mpcrp-project-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'mpcrp-cwd-'));
    mkdirSync(join(project, 'conf'));
    const config = join(project, 'conf', 'mpcrp-bot.yaml');
    writeFileSync(config, 'data: ../state\n');
    const bot = await karmaRun(s.url, ['--config', config], elsewhere);
    expect(bot.stderr()).toContain(`at=${join(project, 'state', 'store')}`);
    expect(await ask(s.url, 'alice', ['bob++'])).toBe('bob has karma 1');
    bot.child.kill('SIGTERM');
    await bot.exited;
  });

  it('a second run on the same data directory is told to use its own, or Redis', async () => {
    const s = await server();
    const data = mkdtempSync(join(tmpdir(), 'mpcrp-karma-'));
    const first = await karmaRun(s.url, ['--data', data]);
    expect(await ask(s.url, 'alice', ['bob++'])).toBe('bob has karma 1');
    const second = await karmaRun(s.url, ['--data', data, '-u', 'karma2']);
    const dave = await client(s.url, 'dave');
    await dave.joinRoom('lobby');
    dave.send('lobby', 'bob++');
    await second.waitForStderr(
      /in use by another process; give each bot process its own --data DIR/,
    );
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    await Promise.all([first.exited, second.exited]);
  });

  it('an unreachable Redis fails at start with exit 3', async () => {
    const result = await run([
      'run',
      KARMA,
      '--server',
      'mpcrp://127.0.0.1:1',
      '--store',
      'redis://127.0.0.1:1',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot reach the store at redis:\/\/127\.0\.0\.1:1/);
  });
});

describe('run on a server without sender', () => {
  it('warns at start that guarded commands will be refused', async () => {
    const s = await server({ extensions: false });
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-guarded-'));
    const file = join(dir, 'guarded.mjs');
    writeFileSync(
      file,
      "export default { name: 'guarded', setup(bot) { bot.command('deploy', { description: 'x', allow: 'ops' }, (ctx) => ctx.reply('ran')); } };\n",
    );
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), `roles:\n  ops: [alice]\nbots: [./guarded.mjs]\n`);
    const bot = start(['run', '--server', s.url, '-r', 'lobby'], { cwd: dir });
    await bot.waitForStderr(
      /the server grants no 'sender' extension, so nobody can be identified: every guarded command is refused commands="!deploy"/,
    );
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });
});
