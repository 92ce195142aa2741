import { afterEach, describe, expect, it } from 'vitest';
import echo from '../../bots/echo.js';
import greeter from '../../bots/greeter.js';
import { defineBot } from '../../src/index.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { recorder } from './helpers.js';

let t: BotTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('bot runtime against the real server', () => {
  it('echoes what a user says, end to end', async () => {
    t = await createBotTest({ bots: [echo] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'hello there');
    const m = await alice.expectMessage('lobby', 'hello there', { from: 'echo' });
    expect(m.sender).toBe('echo');
    await alice.expectNoMessage('lobby');
  });

  it('splits a long reply so each piece arrives with the sender on an extension server', async () => {
    const long = defineBot({
      name: 'long',
      setup(bot) {
        bot.command('long', (ctx) => ctx.reply('y'.repeat(150_000)));
      },
    });
    t = await createBotTest({ bots: [long] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!long');
    await t.settle();
    // A piece filling the whole Data frame has no room for DataFrom's sender: it came as
    // plain Data, without it.
    const got = alice.messages.filter((m) => m.room === 'lobby');
    expect(got.map((m) => m.text).join('')).toBe('y'.repeat(150_000));
    expect(got.map((m) => m.sender)).toEqual(got.map(() => 'long'));
  });

  it('creates a room that does not exist and joins one that does', async () => {
    t = await createBotTest({ bots: [echo], rooms: ['fresh', 'lobby'] });
    const alice = await t.user('alice');
    expect(await alice.users('fresh').catch((e: Error) => e.message)).toMatch(/not a member/);
    await alice.join('fresh');
    expect(await alice.users('fresh')).toEqual(['echo', 'alice']);
    expect([...t.runtime.rooms].sort()).toEqual(['fresh', 'lobby']);
  });

  it('greets by polling user lists on a strict RFC server', async () => {
    const rec = recorder();
    t = await createBotTest({
      bots: [greeter, rec.plugin],
      server: { extensions: false },
      options: { presenceInterval: 20 },
    });
    expect([...t.runtime.extensions]).toEqual([]);
    const alice = await t.user('alice', { extensions: false });
    await alice.join('lobby');
    await alice.expectMessage('lobby', 'Welcome to lobby, alice!');
    const bob = await t.user('bob', { extensions: false });
    await bob.join('lobby');
    // A poll sees only what lasts until it runs: let the join be seen before leaving.
    await rec.waitFor((e) => e.kind === 'join' && e.user === 'bob');
    await bob.quit('lobby');
    await rec.waitFor((e) => e.kind === 'leave' && e.user === 'bob');
    expect(rec.events.filter((e) => e.kind === 'join' || e.kind === 'leave')).toEqual([
      { kind: 'join', room: 'lobby', user: 'alice' },
      { kind: 'join', room: 'lobby', user: 'bob' },
      { kind: 'leave', room: 'lobby', user: 'bob' },
    ]);
  });

  it('greets from pushed presence events without polling', async () => {
    const rec = recorder();
    // An interval no test lasts: only the pushed Presence frames can explain a greeting.
    t = await createBotTest({
      bots: [greeter, rec.plugin],
      options: { presenceInterval: 3_600_000 },
    });
    expect(t.runtime.extensions.has('presence')).toBe(true);
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.expectMessage('lobby', 'Welcome to lobby, alice!', { from: 'greeter' });
    await alice.quit('lobby');
    await rec.waitFor((e) => e.kind === 'leave' && e.user === 'alice');
    await t.settle();
    const lists = rec.events.filter((e) => e.kind === 'userlist');
    expect(lists.at(-1)).toEqual({ kind: 'userlist', room: 'lobby', users: ['greeter'] });
  });
});
