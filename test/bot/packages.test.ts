import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBot, resolveBotPackage } from '../../src/bot/package-loader.js';
import { client, inbox, run, server, start } from '../cli/cli-harness.js';

/** A project with two installed bot packages: one naming its bot entry, one by exports. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpcrp-pkg-'));
  const hello = join(dir, 'node_modules', 'mpcrp-bot-hello');
  mkdirSync(join(hello, 'dist'), { recursive: true });
  writeFileSync(
    join(hello, 'package.json'),
    JSON.stringify({
      name: 'mpcrp-bot-hello',
      type: 'module',
      'mpcrp-bot': { bot: './dist/bot.js' },
    }),
  );
  writeFileSync(
    join(hello, 'dist', 'bot.js'),
    "export default { name: 'hello', setup(bot) { bot.command('hello', (ctx) => ctx.reply('hello from a package')); } };\n",
  );
  const scoped = join(dir, 'node_modules', '@acme', 'bot-ping');
  mkdirSync(scoped, { recursive: true });
  writeFileSync(
    join(scoped, 'package.json'),
    JSON.stringify({
      name: '@acme/bot-ping',
      type: 'module',
      exports: { '.': { import: './ping.js' } },
    }),
  );
  writeFileSync(
    join(scoped, 'ping.js'),
    "export default { name: 'ping', setup(bot) { bot.command('ping', (ctx) => ctx.reply('pong')); } };\n",
  );
  return dir;
}

describe('bots from npm packages', () => {
  it('resolves the package.json bot entry, else the main export, from the project and above', async () => {
    const dir = project();
    const sub = join(dir, 'bots', 'deep');
    mkdirSync(sub, { recursive: true });
    expect(resolveBotPackage('mpcrp-bot-hello', sub)).toBe(
      join(dir, 'node_modules', 'mpcrp-bot-hello', 'dist', 'bot.js'),
    );
    expect((await loadBot('@acme/bot-ping', { from: dir })).name).toBe('ping');
    await expect(loadBot('mpcrp-bot-missing', { from: dir })).rejects.toThrow(
      /no package 'mpcrp-bot-missing' is installed in .* \(npm install mpcrp-bot-missing\)/,
    );
  });

  it('run takes package names as arguments and under bots: in the config', async () => {
    const dir = project();
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), 'bots:\n  - "@acme/bot-ping"\n');
    const s = await server();
    const bot = start(['run', 'mpcrp-bot-hello', '--server', s.url, '-r', 'lobby'], { cwd: dir });
    await bot.waitForStderr(/(created|joined) room room=lobby/);
    const alice = await client(s.url, 'alice');
    await alice.joinRoom('lobby');
    const got = inbox(alice);
    alice.send('lobby', '!hello');
    alice.send('lobby', '!ping');
    const texts = (await got.next(2)).map((m) => m.text);
    expect(texts.sort()).toEqual(['hello from a package', 'pong']);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    const missing = await run(['run', 'mpcrp-bot-nope', '--server', s.url], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no package 'mpcrp-bot-nope' is installed/);
  });
});
