// How `run` picks and opens its bots' store, and its warning on a server that names nobody,
// tested on the functions run calls (the kill -9 and data: tests run the real process).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { openBotStore, warnWithoutSender } from '../../src/cli/bot-store.js';
import { CliExit } from '../../src/cli/cli-exit.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { createLogger } from '../../src/log.js';
import { type BotRuntime, createRuntime } from '../../src/runtime/create.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import type { StoreBackend } from '../../src/store/store.js';

function logs() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    format: 'json',
    write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return { lines, logger };
}

const opened: StoreBackend[] = [];
let server: RunningServer | undefined;
let runtime: BotRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  await server?.close();
  runtime = undefined;
  server = undefined;
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function failure(promise: Promise<unknown>): Promise<CliExit> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliExit);
  return error as CliExit;
}

describe('openBotStore', () => {
  it('exits 3 with the reason when Redis cannot be reached, 2 for what is no store URL', async () => {
    const { logger } = logs();
    const settings = resolveSettings({ env: {} });
    const none = { store: 'redis://127.0.0.1:1', data: undefined };
    const unreachable = await failure(openBotStore(none, settings, 'bot', logger));
    expect(unreachable.exitCode).toBe(3);
    expect(unreachable.message).toMatch(
      /cannot reach the store at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1; is Redis running there\?/,
    );
    const bad = await failure(
      openBotStore({ store: 'mysql://x', data: undefined }, settings, 'bot', logger),
    );
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toMatch(
      /store is "mysql:\/\/x", not a store URL \(expected redis:\/\/HOST:PORT/,
    );
  });

  it('puts the local store beside the config file by default, and opens it only on first use', async () => {
    const { lines, logger } = logs();
    const project = mkdtempSync(join(tmpdir(), 'mpcrp-default-data-'));
    const settings = {
      ...resolveSettings({ env: {} }),
      configFile: join(project, 'mpcrp-bot.yaml'),
    };
    const flags = { store: undefined, data: undefined };
    const store = await openBotStore(flags, settings, 'bot', logger);
    opened.push(store);
    const where = join(project, '.mpcrp-bot', 'store');
    expect(lines.find((l) => l.msg === 'store')).toMatchObject({ kind: 'local', at: where });
    expect(existsSync(where)).toBe(false);
    await store.set('k', '1');
    expect(existsSync(where)).toBe(true);
  });

  it('--data wins over data: and resolves against the working directory', async () => {
    const { lines, logger } = logs();
    const settings = { ...resolveSettings({ env: {} }), data: '/nowhere/from-config' };
    const store = await openBotStore(
      { store: undefined, data: 'rel-dir' },
      settings,
      'bot',
      logger,
    );
    opened.push(store);
    expect(lines.find((l) => l.msg === 'store')).toMatchObject({
      at: join(process.cwd(), 'rel-dir', 'store'),
    });
  });
});

describe('warnWithoutSender', () => {
  const guarded = defineBot({
    name: 'guarded',
    setup(bot) {
      bot.command('deploy', { description: 'x', allow: 'ops' }, (ctx) => ctx.reply('ran'));
      bot.command('status', { description: 'y' }, (ctx) => ctx.reply('ok'));
    },
  });

  for (const extensions of [false, true]) {
    it(`${extensions ? 'says nothing' : 'warns once connected'} when the server ${extensions ? 'names' : 'does not name'} senders`, async () => {
      server = await startServer({ port: 0, extensions });
      const { lines, logger } = logs();
      runtime = createRuntime({ server: server.url, username: 'bot', plugins: [guarded], logger });
      warnWithoutSender(runtime, '!', logger);
      await runtime.start();
      const warning = lines.find((l) => String(l.msg).includes("grants no 'sender' extension"));
      if (extensions) expect(warning).toBeUndefined();
      else {
        expect(warning).toMatchObject({
          level: 'warn',
          msg: "the server grants no 'sender' extension, so nobody can be identified: every guarded command is refused",
          commands: '!deploy',
        });
      }
    });
  }
});
