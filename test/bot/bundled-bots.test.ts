import { afterEach, describe, expect, it, vi } from 'vitest';
import dice, { rollDice } from '../../bots/dice.js';
import echo from '../../bots/echo.js';
import greeter from '../../bots/greeter.js';
import help from '../../bots/help.js';
import remind, { parseDelay } from '../../bots/remind.js';
import { createBotEngine, type PluginEntry } from '../../src/bot/engine.js';
import type { BotPlugin } from '../../src/bot/types.js';
import { fakeHost, message } from './fake-host.js';

function harness(...plugins: (BotPlugin | PluginEntry)[]) {
  const fake = fakeHost('bot');
  const engine = createBotEngine({ host: fake.host, plugins });
  /** `sender: null` is a strict server, which does not say who spoke. */
  const say = (text: string, sender: string | null = 'ann', room = 'lobby') =>
    engine.handleEvent(message(room, text, sender ?? undefined));
  return { ...fake, engine, say };
}

describe('echo', () => {
  it('answers every message with the same text, in the same room', async () => {
    const { say, sent } = harness(echo);
    await say('hello there');
    await say('in dev', 'bob', 'dev');
    await say('');
    expect(sent).toEqual([
      { room: 'lobby', text: 'hello there' },
      { room: 'dev', text: 'in dev' },
    ]);
  });
});

describe('greeter', () => {
  it('welcomes joiners by name, and only joiners', async () => {
    const { engine, texts } = harness(greeter);
    await engine.handleEvent({ kind: 'join', room: 'lobby', user: 'ann' });
    await engine.handleEvent({ kind: 'leave', room: 'lobby', user: 'ann' });
    await engine.handleEvent(message('lobby', 'hi'));
    expect(texts()).toEqual(['Welcome to lobby, ann!']);
  });

  it('takes its greeting from options, and refuses a bad one', async () => {
    const { engine, texts } = harness({ plugin: greeter, options: { greeting: 'hi {user}' } });
    await engine.handleEvent({ kind: 'join', room: 'lobby', user: 'bob' });
    expect(texts()).toEqual(['hi bob']);
    await expect(engine.add({ plugin: greeter, options: { greeting: 7 } })).rejects.toThrow(
      /options.greeting must be a non-empty text/,
    );
  });
});

describe('dice', () => {
  it('rolls NdS within range and shows the sum', async () => {
    const { say, texts } = harness(dice);
    for (let i = 0; i < 50; i++) await say('!roll 3d6');
    for (const text of texts()) {
      const m = /^ann rolled 3d6: (\d) \+ (\d) \+ (\d) = (\d+)$/.exec(text);
      expect(m, text).not.toBeNull();
      const faces = m!.slice(1, 4).map(Number);
      for (const f of faces) expect(f >= 1 && f <= 6, text).toBe(true);
      expect(Number(m![4])).toBe(faces[0]! + faces[1]! + faces[2]!);
    }
  });

  it('uses an injected random source, modifiers and a default of 1d6', async () => {
    const { say, texts } = harness({ plugin: dice, options: { random: () => 0.999 } });
    await say('!roll d20+3');
    await say('!roll 2d10-1', null);
    await say('!roll');
    expect(texts()).toEqual([
      'ann rolled 1d20+3: 20 + 3 = 23',
      '2d10-1: 10 + 10 - 1 = 19',
      'ann rolled 1d6: 6 = 6',
    ]);
  });

  it.each([
    ['!roll banana', /'banana' is not a roll/],
    ['!roll 21d6', /roll 1 to 20 dice/],
    ['!roll 0d6', /roll 1 to 20 dice/],
    ['!roll 2d1', /dice have 2 to 1000 sides/],
    ['!roll 1d1001', /dice have 2 to 1000 sides/],
    ['!roll 99999999999999999999d6', /roll 1 to 20 dice/],
  ])('%s gets a usage hint', async (text, pattern) => {
    const { say, texts } = harness(dice);
    await say(text);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toMatch(pattern);
    expect(texts()[0]).toMatch(/usage: !roll 2d6/);
  });

  it('caps dice by option', () => {
    expect(rollDice('5d6', { maxDice: 4, maxSides: 6 })).toBe('roll 1 to 4 dice');
    expect(rollDice('4d6', { maxDice: 4, maxSides: 6 }, () => 0)).toMatchObject({
      dice: [1, 1, 1, 1],
      total: 4,
    });
  });
});

describe('remind', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says the reminder in the room after the delay', async () => {
    vi.useFakeTimers();
    const { say, sent, engine } = harness(remind);
    await engine.start();
    await say('!remind 10m stretch your legs');
    expect(sent).toEqual([{ room: 'lobby', text: 'ok, in 10m' }]);
    vi.advanceTimersByTime(10 * 60_000 - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent[1]).toEqual({ room: 'lobby', text: 'reminder for ann: stretch your legs' });
  });

  it('works without a sender on a strict server', async () => {
    vi.useFakeTimers();
    const { say, texts } = harness(remind);
    await say('!remind 30s tea', null);
    vi.advanceTimersByTime(30_000);
    expect(texts()).toEqual(['ok, in 30s', 'reminder: tea']);
  });

  it('cancels pending reminders when stopped or unloaded', async () => {
    vi.useFakeTimers();
    const { say, texts, engine } = harness(remind);
    await engine.start();
    await say('!remind 1m a');
    await engine.stop();
    await say('!remind 1m b');
    await engine.start();
    await engine.remove('remind');
    vi.advanceTimersByTime(120_000);
    expect(texts()).toEqual(['ok, in 1m', 'ok, in 1m']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ['!remind', /usage: !remind 10m stretch/],
    ['!remind 10m', /usage/],
    ['!remind soon stretch', /usage/],
    ['!remind 0s x', /usage/],
    ['!remind 25h x', /at most 1440 minutes/],
  ])('%s is refused with a hint', async (text, pattern) => {
    vi.useFakeTimers();
    const { say, texts } = harness(remind);
    await say(text);
    expect(texts()).toEqual([expect.stringMatching(pattern)]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('caps how many reminders wait at once', async () => {
    vi.useFakeTimers();
    const { say, texts } = harness({ plugin: remind, options: { maxPending: 2 } });
    await say('!remind 1m a');
    await say('!remind 1m b');
    await say('!remind 1m c');
    expect(texts().at(-1)).toMatch(/too many reminders/);
    expect(vi.getTimerCount()).toBe(2);
  });

  it('parses compound delays', () => {
    expect(parseDelay('1h30m')).toBe(5_400_000);
    expect(parseDelay('90S')).toBe(90_000);
    expect(parseDelay('10')).toBeUndefined();
    expect(parseDelay('m')).toBeUndefined();
  });
});

describe('help', () => {
  it('lists every command of every bot', async () => {
    const { say, texts } = harness(help, dice, remind, greeter);
    await say('!help');
    expect(texts()).toEqual(['commands: !help, !remind, !roll (!help <command> for more)']);
  });

  it('describes one command, with or without the prefix', async () => {
    const { say, texts } = harness(help, dice);
    await say('!help roll');
    await say('!help !ROLL');
    await say('!help nope');
    const roll = '!roll [N]d<sides>[+M], e.g. 2d6 or d20+3 — Roll dice (default 1d6) [dice]';
    expect(texts()).toEqual([roll, roll, 'there is no command !nope; !help lists them all']);
  });

  it('follows the configured prefix and plugins added later', async () => {
    const fake = fakeHost();
    const engine = createBotEngine({ host: fake.host, plugins: [help], prefix: '.' });
    await engine.add(dice);
    await engine.handleEvent(message('lobby', '.help'));
    expect(fake.texts()).toEqual(['commands: .help, .roll (.help <command> for more)']);
  });
});
