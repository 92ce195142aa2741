import { type BotTest, createBotTest } from 'mpcrp-bot/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import karma from './karma.js';

describe('karma bot', () => {
  let t: BotTest;
  beforeEach(async () => {
    t = await createBotTest({ bots: [{ plugin: karma, options: { perMinute: 3 } }] });
  });
  afterEach(async () => {
    await t.close();
  });

  it('counts ++ and -- per user and reports the board', async () => {
    const alice = await t.user('alice');
    const bob = await t.user('bob');
    await alice.join('lobby');
    await bob.join('lobby');

    await alice.say('lobby', 'thanks bob++ for the fix');
    await bob.expectMessage('lobby', 'bob has 1 karma', { from: 'karma' });
    await bob.say('lobby', 'alice++ carol++ carol++');
    await bob.expectMessage('lobby', 'alice has 1 karma, carol has 1 karma, carol has 2 karma');
    await alice.say('lobby', '!karma carol');
    await alice.expectMessage('lobby', 'carol has 2 karma', { from: 'karma' });
    await alice.say('lobby', '!karma');
    await alice.expectMessage('lobby', 'carol 2, alice 1, bob 1');
  });

  it('ignores self-votes, rate-limits givers and keeps quiet about plain text', async () => {
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'alice++');
    await alice.expectMessage('lobby', 'alice: nice try');
    await alice.say('lobby', 'a++ b++ c++ d++');
    const m = await alice.expectMessage('lobby', /slow down/);
    expect(m.text).toBe('a has 1 karma, b has 1 karma, c has 1 karma, alice: slow down');
    const bob = await t.user('bob');
    await bob.join('lobby');
    await bob.say('lobby', 'no votes here: a ++ b+ + --c ++d e+-');
    await bob.expectNoMessage('lobby');
    await alice.expectNoMessage('lobby', /./, { from: 'karma' });
  });
});
