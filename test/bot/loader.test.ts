import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotFile } from '../../src/bot/loader.js';
import { PluginLoadError } from '../../src/errors.js';

let dir: string;
const file = async (name: string, source: string) => {
  const full = path.join(dir, name);
  await writeFile(full, source);
  return full;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mpcrp-bots-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadBotFile', () => {
  it.each([
    [
      'typed.ts',
      `const name: string = 'typed';\nexport default { name, setup(bot: unknown) {} };`,
      'typed',
    ],
    ['module.mts', `export default { name: 'module', description: 'x', setup() {} };`, 'module'],
    ['plain.mjs', `export default { name: 'plain', rooms: ['lobby'], setup() {} };`, 'plain'],
    ['bare-fn.js', `export default function (bot) {}`, 'bare-fn'],
    ['named.mjs', `export const name = 'named';\nexport function setup() {}`, 'named'],
  ])('imports %s', async (name, source, expected) => {
    const plugin = await loadBotFile(await file(name, source));
    expect(plugin.name).toBe(expected);
    expect(typeof plugin.setup).toBe('function');
  });

  it('keeps rooms and description', async () => {
    const plugin = await loadBotFile(
      await file(
        'full.mjs',
        `export default { name: 'full', description: 'd', rooms: ['a'], setup() {} };`,
      ),
    );
    expect(plugin).toMatchObject({ name: 'full', description: 'd', rooms: ['a'] });
  });

  const problems: [string, string, RegExp][] = [
    ['number.mjs', 'export default 42;', /the export is a number.*defineBot/],
    ['none.mjs', 'export const x = 1;', /there is no default export/],
    ['nameless.mjs', 'export default { setup() {} };', /name must be/],
    ['bad-name.mjs', `export default { name: 'a b', setup() {} };`, /name must be.*"a b"/],
    ['no-setup.ts', `export default { name: 'x' };`, /setup must be a function/],
    [
      'rooms.mjs',
      `export default { name: 'x', rooms: 'lobby', setup() {} };`,
      /rooms must be a list/,
    ],
    ['syntax.ts', 'export default { name: "x", setup() {', /importing it failed/],
    ['syntax.mjs', 'export default {{', /importing it failed/],
    ['throws.mjs', `throw new Error('no token');`, /importing it failed: no token/],
    [
      'needs-pkg.mjs',
      `import x from 'no-such-pkg-here/sub';\nexport default x;`,
      /imports 'no-such-pkg-here\/sub', which is not installed .*`npm i no-such-pkg-here` in /,
    ],
    [
      'needs-pkg.ts',
      `import x from '@nosuch/pkg';\nexport default x;`,
      /imports '@nosuch\/pkg', which is not installed .*`npm i @nosuch\/pkg` in /,
    ],
    ['needs-file.ts', `import x from './gone.js';\nexport default x;`, /^[^\n]*gone\.js[^\n]*$/],
  ];
  it.each(problems)('%s gets a PluginLoadError naming the file', async (name, source, pattern) => {
    const full = await file(name, source);
    const error = await loadBotFile(full).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error).toMatchObject({ file: full, code: 'PLUGIN_LOAD_ERROR' });
    expect((error as Error).message).toContain(`cannot load bot ${full}:`);
    expect((error as Error).message).toMatch(pattern);
  });

  it('says so for a missing file or a wrong extension', async () => {
    await expect(loadBotFile(path.join(dir, 'gone.ts'))).rejects.toThrow(/there is no file at/);
    await expect(loadBotFile(await file('bot.py', 'print(1)'))).rejects.toThrow(
      /'.py' is not a bot file extension; use .ts, .mts, .js or .mjs/,
    );
  });

  it('re-reads a changed file when asked for a fresh copy', async () => {
    for (const ext of ['mjs', 'ts']) {
      const full = await file(`reload.${ext}`, `export default { name: 'v1', setup() {} };`);
      expect((await loadBotFile(full)).name).toBe('v1');
      await writeFile(full, `export default { name: 'v2', setup() {} };`);
      expect((await loadBotFile(full)).name).toBe('v1');
      expect((await loadBotFile(full, { fresh: true })).name).toBe('v2');
    }
  });
});

describe('loadBotFile under plain Node (the built package, as `mpcrp-bot run` uses it)', () => {
  it('loads and reloads TypeScript and CommonJS bots outside any package', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const ts = await file(
      'node-ts.ts',
      `const n: string = 'node-ts';\nexport default { name: n, setup() {} };`,
    );
    const cjs = await file('node-cjs.js', `module.exports = { name: 'node-cjs', setup() {} };`);
    const bad = await file('node-bad.ts', 'export default {');
    const script = `
      import { loadBotFile, PluginLoadError, defineBot } from ${JSON.stringify(path.join(root, 'dist/index.js'))};
      const out = [];
      for (const f of process.argv.slice(1)) {
        try { out.push((await loadBotFile(f)).name); }
        catch (e) { out.push(e instanceof PluginLoadError ? 'PluginLoadError' : String(e)); }
      }
      const dice = await loadBotFile(${JSON.stringify(path.join(root, 'bots/dice.ts'))});
      out.push(dice.name);
      const { writeFile } = await import('node:fs/promises');
      for (const f of process.argv.slice(1, 3)) {
        await writeFile(f, 'export default { name: "changed", setup() {} };');
        out.push((await loadBotFile(f, { fresh: true })).name);
      }
      console.log(JSON.stringify(out));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, ts, cjs, bad],
      { cwd: dir },
    );
    expect(JSON.parse(stdout)).toEqual([
      'node-ts',
      'node-cjs',
      'PluginLoadError',
      'dice',
      'changed',
      'changed',
    ]);
  });
});
