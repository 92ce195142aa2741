// A bot author's project: mpcrp-bot installed as a dependency, a package.json without
// "type": "module" (so tsx compiles .ts bots as CommonJS), and bots that import the
// package by name. `mpcrp-bot run` must load them as they are.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let project: string;

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'mpcrp-consumer-'));
  await writeFile(path.join(project, 'package.json'), '{ "name": "my-bots", "private": true }\n');
  await mkdir(path.join(project, 'node_modules'));
  await symlink(root, path.join(project, 'node_modules', 'mpcrp-bot'), 'dir');
  await writeFile(
    path.join(project, 'hi.ts'),
    `import { defineBot, NotMemberError } from 'mpcrp-bot';
export default defineBot({
  name: 'hi',
  setup(bot) {
    bot.command('hi', { description: 'greets' }, (ctx) => ctx.reply('hi ' + (ctx.sender ?? 'there')));
    bot.onError((err) => { if (err.cause instanceof NotMemberError) return; });
  },
});
`,
  );
  await writeFile(
    path.join(project, 'check.mjs'),
    `import { loadBotFile, MpcrpError } from 'mpcrp-bot';
import { createBotTest } from 'mpcrp-bot/testing';
const bot = await loadBotFile('hi.ts');
const t = await createBotTest({ bots: [bot] });
const alice = await t.user('alice');
await alice.join('lobby');
await alice.say('lobby', '!hi');
const reply = await alice.expectMessage('lobby', /^hi /);
// One copy of the package: classes from the bot's import are the runtime's classes.
const { NotMemberError } = await import('mpcrp-bot');
console.log(JSON.stringify({ text: reply.text, shared: new NotMemberError('x') instanceof MpcrpError }));
await t.close();
`,
  );
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

it('loads a TypeScript bot that imports mpcrp-bot from a CommonJS project', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['check.mjs'], { cwd: project });
  expect(JSON.parse(stdout)).toEqual({ text: 'hi alice', shared: true });
});
