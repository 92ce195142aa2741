import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import karma, { parseVotes } from '../../bots/karma.js';
import poll, { parsePoll } from '../../bots/poll.js';
import seen, { ago } from '../../bots/seen.js';
import { LocalStore } from '../../src/store/local.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';

let t: BotTest | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
});

describe('karma', () => {
  it('finds every vote in a message', () => {
    expect(parseVotes('bob++ and @ann-- but not c++x, eve++!')).toEqual([
      ['bob', 1],
      ['ann', -1],
      ['eve', 1],
    ]);
  });

  it('counts several votes per message, refuses self-karma, answers !karma NAME', async () => {
    t = await createBotTest({ bots: [karma] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'thanks bob++ and ann++, also bob++');
    await alice.say('lobby', 'alice++');
    await alice.expectMessage('lobby', 'alice, karma for yourself does not count');
    await alice.say('lobby', '!karma bob');
    await alice.expectMessage('lobby', 'bob has karma 2');
    await alice.say('lobby', '!karma Ann');
    await alice.expectMessage('lobby', 'Ann has karma 1');
    expect(await t.storeOf('karma').keys()).toEqual(['karma:ann', 'karma:bob']);
  });

  it('reads what a test seeded', async () => {
    t = await createBotTest({ bots: [karma] });
    await t.storeOf('karma').set('karma:zed', 41);
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'zed++');
    await alice.say('lobby', '!karma zed');
    await alice.expectMessage('lobby', 'zed has karma 42');
  });

  it('keeps its counts across a restart of the runtime on the local store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-karma-kit-'));
    let store = await LocalStore.open(dir);
    t = await createBotTest({ bots: [karma], store });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'bob++');
    await alice.say('lobby', 'bob++');
    await t.settle();
    await t.close();
    await store.close();
    store = await LocalStore.open(dir);
    t = await createBotTest({ bots: [karma], store });
    const carol = await t.user('carol');
    await carol.join('lobby');
    await carol.say('lobby', '!karma bob');
    await carol.expectMessage('lobby', 'bob has karma 2');
    await t.close();
    t = undefined;
    await store.close();
  });
});

describe('seen', () => {
  it('formats how long ago', () => {
    expect(ago(1000)).toBe('just now');
    expect(ago(40_000)).toBe('40s ago');
    expect(ago(3 * 3600_000 + 5 * 60_000)).toBe('3h 5m ago');
    expect(ago(2 * 86_400_000 + 3600_000)).toBe('2d 1h ago');
  });

  it('remembers joins and leaves from presence, and who is here now', async () => {
    t = await createBotTest({ bots: [seen] });
    const alice = await t.user('alice');
    const bob = await t.user('bob');
    await bob.join('lobby');
    await alice.join('lobby');
    await bob.say('lobby', '!seen alice');
    await bob.expectMessage('lobby', 'alice is here right now');
    await alice.client.quitRoom('lobby');
    await t.settle();
    await bob.say('lobby', '!seen alice');
    await bob.expectMessage('lobby', 'alice was last seen leaving lobby, just now');
    await bob.say('lobby', '!seen nobody');
    await bob.expectMessage('lobby', 'I have not seen nobody');
    expect(await t.storeOf('seen').get('seen:alice')).toMatchObject({
      what: 'left',
      room: 'lobby',
    });
  });

  it('still knows a sighting after a restart of the runtime on the same store', async () => {
    t = await createBotTest({ bots: [seen] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', 'hello');
    await alice.client.quitRoom('lobby');
    await t.settle();
    await t.close();
    const store = t.store;
    t = await createBotTest({ bots: [seen], store });
    const bob = await t.user('bob');
    await bob.join('lobby');
    await bob.say('lobby', '!seen alice');
    await bob.expectMessage('lobby', 'alice was last seen leaving lobby, just now');
  });
});

describe('poll', () => {
  it('parses a question and choices', () => {
    expect(parsePoll('Lunch? pizza, sushi , salad')).toEqual({
      question: 'Lunch?',
      choices: ['pizza', 'sushi', 'salad'],
    });
    expect(parsePoll('no question here')).toBeUndefined();
    expect(parsePoll('One? only')).toBeUndefined();
  });

  it('takes one vote per user by number and posts the results when the time is up', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    t = await createBotTest({ bots: [{ plugin: poll, options: { seconds: 60 } }] });
    const [ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map((n) => t!.user(n)));
    for (const u of [ann!, ben!, cat!]) await u.join('lobby');
    await ann!.say('lobby', '!poll Lunch? pizza, sushi, salad');
    await ann!.expectMessage('lobby', /^poll: Lunch\? 1\) pizza 2\) sushi 3\) salad/);
    await ann!.say('lobby', '!poll Again? a, b');
    await ann!.expectMessage('lobby', 'a poll is already open here; wait for its results');
    await ann!.say('lobby', '2');
    await ben!.say('lobby', '1');
    await ben!.say('lobby', '2'); // changes ben's vote
    await cat!.say('lobby', '9'); // no such choice
    await t.settle();
    await vi.advanceTimersByTimeAsync(60_000);
    await t.settle();
    await ann!.expectMessage('lobby', 'poll closed: Lunch? sushi 2, pizza 0, salad 0 (2 votes)');
  });

  it('refuses to open a poll without the sender extension', async () => {
    t = await createBotTest({ bots: [poll], server: { extensions: false } });
    const ann = await t.user('ann');
    await ann.join('lobby');
    await ann.say('lobby', '!poll Lunch? a, b');
    await ann.expectMessage('lobby', /polls need to know who votes/);
  });

  it('closes a poll left open by a restart, on time', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    t = await createBotTest({ bots: [poll] });
    await t.storeOf('poll').set('poll:lobby', {
      question: 'Tea?',
      choices: ['yes', 'no'],
      votes: { ann: 0 },
      closesAt: Date.now() + 60_000,
    });
    await t.close();
    const store = t.store;
    t = await createBotTest({ bots: [poll], store });
    const bob = await t.user('bob');
    await bob.join('lobby');
    await vi.advanceTimersByTimeAsync(59_000);
    await t.settle();
    await bob.expectNoMessage('lobby');
    await vi.advanceTimersByTimeAsync(1_000);
    await t.settle();
    await bob.expectMessage('lobby', 'poll closed: Tea? yes 1, no 0 (1 vote)');
  });
});
