import { afterEach, describe, expect, it } from 'vitest';
import echo from '../../bots/echo.js';
import { defineBot } from '../../src/bot/define.js';
import { createLogger } from '../../src/log.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { recorder } from './helpers.js';

let t: BotTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('rooms', () => {
  it.each([
    ['pushed presence', true],
    ['polling a strict server', false],
  ])('reports a room destroyed under the bot (%s)', async (_, extensions) => {
    const rec = recorder();
    t = await createBotTest({
      bots: [rec.plugin],
      server: { extensions },
      options: { presenceInterval: 20 },
    });
    const alice = await t.user('alice', { extensions });
    await alice.client.createRoom('party');
    await t.runtime.join('party');
    expect([...t.runtime.rooms].sort()).toEqual(['lobby', 'party']);
    await alice.client.destroyRoom('party');
    expect(await rec.waitFor((e) => e.kind === 'destroyed')).toEqual({
      kind: 'destroyed',
      room: 'party',
    });
    expect(t.runtime.rooms).toEqual(['lobby']);
    expect(t.runtime.send('party', 'anyone?')).toBe(false);
  });

  it('splits a reply too long for one frame, in order', async () => {
    const long = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(' ');
    const big = defineBot({
      name: 'big',
      setup(bot) {
        bot.command('big', (ctx) => ctx.reply(long));
      },
    });
    t = await createBotTest({ bots: [big] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!big');
    await t.settle();
    const got = alice.messages.filter((m) => m.sender === 'big');
    expect(got.length).toBeGreaterThan(1);
    expect(got.map((m) => m.text).join(' ')).toBe(long);
  });

  it('survives plugins that throw, reject and send nonsense', async () => {
    const lines: string[] = [];
    const bad = defineBot({
      name: 'bad',
      setup(bot) {
        bot.onMessage((ctx) => {
          if (ctx.text === 'throw') throw new Error('boom');
          if (ctx.text === 'reject') return Promise.reject(new Error('async boom'));
          ctx.send('no such room!', 'x');
          return undefined;
        });
      },
    });
    t = await createBotTest({
      bots: [bad, echo],
      options: { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) },
      username: 'echo',
    });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'throw');
    await alice.say('lobby', 'reject');
    await alice.say('lobby', 'nonsense');
    await alice.expectMessage('lobby', 'throw', { from: 'echo' });
    await alice.expectMessage('lobby', 'reject', { from: 'echo' });
    await alice.expectMessage('lobby', 'nonsense', { from: 'echo' });
    await alice.expectNoMessage('lobby');
    expect(lines.some((l) => l.includes('boom'))).toBe(true);
    // A send to a room the bot is not in fails the hook (NotInRoomError), logged as a failure.
    expect(lines.some((l) => l.includes("is not in room 'no such room!'"))).toBe(true);
    expect(t.runtime.connected).toBe(true);
  });
});
