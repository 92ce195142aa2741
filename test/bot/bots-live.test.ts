import { type BotTest, createBotTest } from 'mpcrp-bot/testing';
import { afterEach, expect, it } from 'vitest';
import dice from '../../bots/dice.js';
import help from '../../bots/help.js';

let t: BotTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// The docs/bots.md example, over real TCP: the sender is known, so the bot names the roller.
it('dice and help answer over a real server', async () => {
  t = await createBotTest({ bots: [dice, help] });
  const alice = await t.user('alice');
  await alice.join('lobby');
  await alice.say('lobby', '!roll 1d6');
  const reply = await alice.expectMessage('lobby', /^alice rolled 1d6: (\d) = \1$/);
  expect(reply.sender).toBe('dice');
  await alice.say('lobby', '!help');
  await alice.expectMessage('lobby', 'commands: !help, !roll (!help <command> for more)');
  await alice.expectNoMessage('lobby');
});

it('on a strict server the sender is unknown and the bots still answer', async () => {
  t = await createBotTest({ bots: [dice], server: { extensions: false } });
  const bob = await t.user('bob', { extensions: false });
  await bob.join('lobby');
  await bob.say('lobby', '!roll 2d6');
  await bob.expectMessage('lobby', /^2d6: \d \+ \d = \d+$/);
});
