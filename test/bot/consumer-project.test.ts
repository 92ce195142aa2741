// A bot author's project: mpcrp-bot installed as a dependency, a package.json without
// "type": "module" (so tsx compiles .ts bots as CommonJS), and bots that import the
// package by name. `mpcrp-bot run` must load them as they are.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let project: string;

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'mpcrp-consumer-'));
  await writeFile(path.join(project, 'package.json'), '{ "name": "my-bots", "private": true }\n');
  await mkdir(path.join(project, 'node_modules'));
  await symlink(root, path.join(project, 'node_modules', 'mpcrp-bot'), 'dir');
  // What npm install would hoist next to it: its tsx dependency, and @types/node.
  for (const dep of ['@types', 'tsx']) {
    await symlink(path.join(root, 'node_modules', dep), path.join(project, 'node_modules', dep));
  }
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

describe('the testing kit in a CommonJS project', () => {
  it('takes a bot imported straight from a .ts file, the bundled bots, and reports failures', async () => {
    await writeFile(
      path.join(project, 'kit.mjs'),
      `import hi from './hi.ts';
import echo from 'mpcrp-bot/bots/echo';
import help from 'mpcrp-bot/bots/help';
import { createBotTest } from 'mpcrp-bot/testing';
const out = {};
// tsx compiles hi.ts as CommonJS: this import is { default: bot }, as run's loader sees it.
out.wrapped = typeof hi.setup !== 'function';
const t = await createBotTest({ bots: [hi, help] });
const alice = await t.user('alice');
const bob = await t.user('bob');
await alice.join('lobby');
await bob.join('lobby');
await bob.say('lobby', 'just people talking');
await alice.expectNoMessage('lobby'); // bob's message is not the bot's
await alice.say('lobby', '!help');
out.help = (await alice.expectMessage('lobby', /hi/, { from: 'hi' })).text.includes('!hi');
out.errors = t.errors.length;
await t.close();
const broken = { name: 'broken', setup() { throw new Error('no API key'); } };
out.rejected = await createBotTest({ bots: [echo, broken] }).then(() => 'resolved', (e) => e.message);
console.log(JSON.stringify(out));
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'kit.mjs'], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toEqual({
      wrapped: true,
      help: true,
      errors: 0,
      rejected: "plugin 'broken' failed in setup: no API key",
    });
  });
});

describe('the shipped type declarations', () => {
  it('compile in a consumer project under the strictest common settings', async () => {
    await writeFile(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noImplicitOverride: true,
          noPropertyAccessFromIndexSignature: true,
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['typed.mts'],
      }),
    );
    await writeFile(
      path.join(project, 'typed.mts'),
      `import { defineBot, createBotEngine, type BotPlugin } from 'mpcrp-bot';
import { createBotTest, type BotTest } from 'mpcrp-bot/testing';
import echo from 'mpcrp-bot/bots/echo';
const greeter: BotPlugin<{ greeting: string }> = defineBot<{ greeting: string }>({
  name: 'greeter',
  defaults: { greeting: 'hi' },
  setup(bot) {
    bot.onJoin((ctx) => ctx.reply(ctx.options.greeting));
    bot.setInterval(() => {}, 1000).clear();
    void bot.task(async (signal) => void signal.aborted, { name: 'poll' });
  },
});
export const plugins: BotPlugin[] = [greeter, echo];
export const make = (t: BotTest) => t.errors.length;
export { createBotEngine, createBotTest };
`,
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', '.'], {
      cwd: project,
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
    expect(result.stdout).toBe('');
  }, 90_000);
});
