import { afterEach, describe, expect, it, vi } from 'vitest';
import echo from '../../bots/echo.js';
import { defineBot } from '../../src/bot/define.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';

let t: BotTest | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
});

const burst = defineBot({
  name: 'burst',
  setup(bot) {
    bot.command('count', (ctx) => {
      for (let i = 1; i <= 15; i += 1) ctx.reply(String(i));
    });
  },
});

describe('testing kit', () => {
  it('rate-limits a burst, and settle() does not hang on fake timers', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    t = await createBotTest({ bots: [burst], options: { outbox: { rate: 5, burst: 10 } } });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!count');
    await t.settle();
    expect(alice.messages.map((m) => m.text)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    await t.settle();
    expect(alice.messages).toHaveLength(15);
    expect(alice.messages.at(-1)).toMatchObject({ text: '15', sender: 'burst' });
  });

  it('matches by text, pattern or predicate, each message once, and explains a miss', async () => {
    t = await createBotTest({ bots: [echo] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'one');
    await alice.say('lobby', 'two');
    expect((await alice.expectMessage('lobby', (m) => m.text.startsWith('t'))).text).toBe('two');
    expect((await alice.expectMessage('lobby', /o/)).text).toBe('one');
    await expect(alice.expectMessage('lobby', 'one', { timeout: 50 })).rejects.toThrow(
      /alice got no message in 'lobby' matching "one" within 50 ms; unclaimed messages there: none/,
    );
    await expect(alice.expectNoMessage('lobby')).resolves.toBeUndefined();
    await alice.say('lobby', 'three');
    await expect(alice.expectNoMessage('lobby')).rejects.toThrow(/expected no message.*three/);
  });
});
