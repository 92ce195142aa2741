// The README's example bot and test, run as written.

import { createBotTest } from 'mpcrp-bot/testing';
import { expect, it } from 'vitest';
import greeter from './greeter.js';

it('greets a joiner and answers !ping', async () => {
  const t = await createBotTest({ bots: [greeter], rooms: ['lobby'] });
  try {
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.expectMessage('lobby', 'welcome, alice!');
    await alice.say('lobby', '!ping');
    expect((await alice.expectMessage('lobby', /pong/)).sender).toBe('greeter');
  } finally {
    await t.close();
  }
});
