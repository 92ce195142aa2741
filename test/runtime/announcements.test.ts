import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';

let t: BotTest | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
});

const pinger = defineBot({
  name: 'pinger',
  setup(bot) {
    bot.command('ping', (ctx) => ctx.reply(`pong for ${ctx.sender ?? 'the schedule'}`));
  },
});

describe('announcements', () => {
  it('sends text announcements and runs command announcements, on fake time', async () => {
    // Sockets stay real: only timers and the clock are fake (setImmediate drives the server).
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      now: new Date('2030-01-01T10:00:00Z'),
    });
    t = await createBotTest({
      bots: [pinger],
      options: {
        announcements: [
          {
            name: 'hourly',
            cron: '0 * * * *',
            timezone: 'UTC',
            rooms: ['news'],
            text: 'run {run} in {room} at {time}',
            maxDelay: 60_000,
          },
          {
            name: 'ping',
            cron: '30 * * * *',
            timezone: 'UTC',
            rooms: ['lobby'],
            command: '!ping',
            maxDelay: 60_000,
          },
        ],
      },
    });
    expect([...t.runtime.rooms].sort()).toEqual(['lobby', 'news']);
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.join('news');
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    await alice.expectMessage('lobby', 'pong for the schedule', { from: 'pinger' });
    await alice.expectMessage('news', /^run 1 in news at 11:00/, { from: 'pinger' });
    await alice.expectNoMessage('news');
  });
});
