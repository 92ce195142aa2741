// Two echo bots in one room, on a real server: without loop protection they answer each
// other for ever (54 messages in 3.5 s, held back only by the rate limit).
import { afterEach, expect, it } from 'vitest';
import echo from '../../bots/echo.js';
import { defineBot } from '../../src/bot/define.js';
import { createLogger } from '../../src/log.js';
import { type BotRuntime, createRuntime } from '../../src/runtime/create.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';

let t: BotTest | undefined;
let other: BotRuntime | undefined;
afterEach(async () => {
  await other?.stop();
  await t?.close();
  t = other = undefined;
});

it('two echo bots stop answering each other after maxReplies, and say so', async () => {
  const warnings: string[] = [];
  let bothWarned!: () => void;
  const warned = new Promise<void>((resolve) => {
    bothWarned = resolve;
  });
  const logger = createLogger({
    level: 'warn',
    format: 'json',
    write: (line) => {
      const record = JSON.parse(line) as { msg: string; sender?: string };
      if (!record.msg.startsWith('loop protection')) return;
      warnings.push(record.sender ?? '');
      if (warnings.length === 2) bothWarned();
    },
  });
  t = await createBotTest({ bots: [echo], username: 'echo1', options: { logger } });
  const echo2 = defineBot({
    name: 'echo2',
    setup: (bot) => void bot.onMessage((c) => c.reply(c.text)),
  });
  other = createRuntime({
    server: t.url,
    username: 'echo2',
    rooms: ['lobby'],
    plugins: [echo2],
    logger,
  });
  await other.start();
  const alice = await t.user('alice');
  await alice.join('lobby');
  await alice.say('lobby', 'hello');
  // Each bot answers alice once and the other bot 10 times (the default), then stops.
  await alice.expectMessage('lobby', 'hello', { from: 'echo1' });
  await warned;
  expect(warnings.sort()).toEqual(['echo1', 'echo2']);
  await t.settle();
  await other.idle();
  await t.settle();
  const fromBots = alice.messages.filter((m) => m.sender === 'echo1' || m.sender === 'echo2');
  expect(fromBots.length).toBeLessThanOrEqual(22);
  expect(fromBots.length).toBeGreaterThanOrEqual(20);
});
