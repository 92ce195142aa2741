import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CWD, client, inbox, start } from '../cli/cli-harness.js';

const version = (tag: string) =>
  `export default { name: 'watched', setup(bot) { bot.onMessage((ctx) => ctx.reply('${tag} ' + ctx.text)); } };\n`;

/** `run --watch FILE` on an embedded server, with alice in the lobby. */
async function watching(file: string) {
  const bot = start(['run', file, '--watch', '--embedded', '--port', '0']);
  await bot.waitForStderr(/watching bot files/);
  const url = /started an embedded server on (mpcrp:\/\/[\d.]+:\d+)/.exec(bot.stderr())![1]!;
  const alice = await client(url, 'alice');
  await alice.joinRoom('lobby');
  return { bot, alice, got: inbox(alice) };
}

describe('mpcrp-bot run --watch', () => {
  it('reloads a changed bot file without dropping the connection, and keeps the old one when the new one is broken', async () => {
    const file = join(CWD, 'watched-bot.ts');
    writeFileSync(file, version('v1'));
    const { bot, got, alice } = await watching(file);

    alice.send('lobby', 'one');
    expect((await got.next(1))[0]!.text).toBe('v1 one');

    writeFileSync(file, version('v2'));
    await bot.waitForStderr(/reloaded bot/);
    alice.send('lobby', 'two');
    expect((await got.next(2))[1]!.text).toBe('v2 two');

    writeFileSync(file, 'export default {{ not typescript\n');
    await bot.waitForStderr(/reload failed .*watched-bot\.ts/);
    alice.send('lobby', 'three');
    expect((await got.next(3))[2]!.text).toBe('v2 three');

    expect(bot.stderr()).not.toMatch(/connection lost|reconnect/);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });
});

describe('mpcrp-bot run --watch and the files a bot imports', () => {
  it.each([
    ['an ES module', 'mjs'],
    ['TypeScript compiled as CommonJS', 'ts'],
  ])('reloads %s when a module it imports changes, with the new code', async (_, ext) => {
    const dir = mkdtempSync(join(CWD, 'graph-'));
    const lib = join(dir, `words.${ext}`);
    const deeper = join(dir, `deeper.${ext}`);
    const file = join(dir, `graph-bot.${ext}`);
    const spec = (name: string) => (ext === 'ts' ? `./${name}` : `./${name}.mjs`);
    writeFileSync(deeper, `export const suffix = '!';\n`);
    writeFileSync(
      lib,
      `import { suffix } from '${spec('deeper')}';\nexport const tag = () => 'v1' + suffix;\n`,
    );
    writeFileSync(
      file,
      `import { tag } from '${spec('words')}';\nexport default { name: 'graph', setup(bot) { bot.onMessage((ctx) => ctx.reply(tag() + ' ' + ctx.text)); } };\n`,
    );
    const { bot, got, alice } = await watching(file);
    alice.send('lobby', 'one');
    expect((await got.next(1))[0]!.text).toBe('v1! one');

    writeFileSync(
      lib,
      `import { suffix } from '${spec('deeper')}';\nexport const tag = () => 'v2' + suffix;\n`,
    );
    await bot.waitForStderr(new RegExp(`reloaded bot.*changed=words\\.${ext}`));
    alice.send('lobby', 'two');
    expect((await got.next(2))[1]!.text).toBe('v2! two');

    // Two levels down, and a second edit: the graph is followed after each reload. The log
    // line names the file that changed, so a late event from the first edit cannot pass
    // for this reload.
    writeFileSync(deeper, `export const suffix = '?';\n`);
    await bot.waitForStderr(new RegExp(`reloaded bot.*changed=deeper\\.${ext}`));
    alice.send('lobby', 'three');
    expect((await got.next(3))[2]!.text).toBe('v2? three');
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });
});
