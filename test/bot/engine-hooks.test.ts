import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { createBotEngine } from '../../src/bot/engine.js';
import type { BotEvent } from '../../src/bot/host.js';
import type { AnyContext, BotPlugin } from '../../src/bot/types.js';
import { fakeHost, message } from './fake-host.js';

/** A plugin that records which hook saw which event. */
function recorder(seen: string[], rooms?: string[]): BotPlugin {
  return defineBot({
    name: 'recorder',
    rooms,
    setup(bot) {
      bot
        .onMessage((ctx) => void seen.push(`message ${ctx.room} ${ctx.text}`))
        .onJoin((ctx) => void seen.push(`join ${ctx.room} ${ctx.user}`))
        .onLeave((ctx) => void seen.push(`leave ${ctx.room} ${ctx.user}`))
        .onUserList((ctx) => void seen.push(`userlist ${ctx.room} ${ctx.users.join(',')}`))
        .onRoomDestroyed((ctx) => void seen.push(`destroyed ${ctx.room}`))
        .onStart(() => void seen.push('start'))
        .onStop(() => void seen.push('stop'))
        .onReconnect(() => void seen.push('reconnect'));
    },
  });
}

const everyEvent: [BotEvent, string][] = [
  [message('lobby', 'hi', 'ann'), 'message lobby hi'],
  [{ kind: 'join', room: 'lobby', user: 'ann' }, 'join lobby ann'],
  [{ kind: 'leave', room: 'lobby', user: 'ann' }, 'leave lobby ann'],
  [{ kind: 'userlist', room: 'lobby', users: ['ann', 'bob'] }, 'userlist lobby ann,bob'],
  [{ kind: 'destroyed', room: 'lobby' }, 'destroyed lobby'],
  [{ kind: 'reconnect' }, 'reconnect'],
];

describe('engine hooks', () => {
  it.each(everyEvent)('%o fires exactly its own hook', async (event, expected) => {
    const seen: string[] = [];
    const engine = createBotEngine({ host: fakeHost().host, plugins: [recorder(seen)] });
    await engine.handleEvent(event);
    expect(seen).toEqual([expected]);
  });

  it('start and stop run once each, however often they are sent', async () => {
    const seen: string[] = [];
    const engine = createBotEngine({ host: fakeHost().host, plugins: [recorder(seen)] });
    expect(engine.started).toBe(false);
    await engine.stop();
    await engine.start();
    await engine.handleEvent({ kind: 'start' });
    expect(engine.started).toBe(true);
    await engine.stop();
    await engine.stop();
    expect(seen).toEqual(['start', 'stop']);
  });

  it("ignores the bot's own messages, joins and leaves", async () => {
    const seen: string[] = [];
    const engine = createBotEngine({ host: fakeHost('bot').host, plugins: [recorder(seen)] });
    await engine.handleEvent(message('lobby', 'I said this', 'bot'));
    await engine.handleEvent({ kind: 'join', room: 'lobby', user: 'bot' });
    await engine.handleEvent({ kind: 'leave', room: 'lobby', user: 'bot' });
    await engine.handleEvent(message('lobby', 'strict server', undefined));
    expect(seen).toEqual(['message lobby strict server']);
  });

  it('keeps a plugin to its rooms, and config enable/disable override them', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    const engine = createBotEngine({
      host: fakeHost().host,
      plugins: [
        recorder(a, ['lobby']),
        { plugin: { ...recorder(b), name: 'b' }, enable: ['dev'] },
        { plugin: { ...recorder(c), name: 'c' }, disable: ['lobby'] },
      ],
    });
    await engine.handleEvent(message('lobby', 'x'));
    await engine.handleEvent(message('dev', 'y'));
    expect(a).toEqual(['message lobby x']);
    expect(b).toEqual(['message dev y']);
    expect(c).toEqual(['message dev y']);
    expect(engine.rooms().sort()).toEqual(['dev', 'lobby']);
  });

  it('gives the message context every field', async () => {
    const { host, sent } = fakeHost('bot', { lobby: ['ann', 'bot'], dev: ['cy'] });
    let seen: AnyContext | undefined;
    const plugin = defineBot<{ level: number }>({
      name: 'ctx',
      defaults: { level: 1 },
      setup(bot) {
        bot.onMessage(async (ctx) => {
          expectTypeOf(ctx.options.level).toEqualTypeOf<number>();
          expectTypeOf(ctx.sender).toEqualTypeOf<string | undefined>();
          seen = ctx;
          ctx.reply('to lobby');
          ctx.send('dev', 'to dev');
          ctx.log.info('logged');
          expect(await ctx.users()).toEqual(['ann', 'bot']);
          expect(await ctx.users('dev')).toEqual(['cy']);
          expect(ctx.rooms()).toEqual(['lobby', 'dev']);
        });
      },
    });
    const engine = createBotEngine({
      host,
      plugins: [plugin],
      pluginOptions: { ctx: { level: 3 } },
    });
    await engine.handleEvent(message('lobby', '!x a "b c"', 'ann'));
    expect(seen).toMatchObject({
      kind: 'message',
      room: 'lobby',
      text: '!x a "b c"',
      sender: 'ann',
      match: undefined,
      command: { name: 'x', args: ['a', 'b c'], rest: 'a "b c"' },
      options: { level: 3 },
      bot: { username: 'bot', plugin: 'ctx', prefix: '!' },
    });
    expect(sent).toEqual([
      { room: 'lobby', text: 'to lobby' },
      { room: 'dev', text: 'to dev' },
    ]);
  });

  it('scopes the logger to the plugin', async () => {
    const { host, logs } = fakeHost();
    const engine = createBotEngine({
      host,
      plugins: [
        defineBot({ name: 'chatty', setup: (bot) => void bot.onStart((c) => c.log.info('hi')) }),
      ],
    });
    await engine.start();
    expect(logs).toContainEqual(expect.objectContaining({ scope: 'chatty', msg: 'hi' }));
  });

  it('hear() matches with a regex and puts the match on the context', async () => {
    const { host, texts } = fakeHost();
    const plugin = defineBot({
      name: 'hear',
      setup(bot) {
        bot.hear(/weather in (\w+)/i, (ctx) => ctx.reply(`sunny in ${ctx.match[1]}`));
        bot.hear(/ing\b/g, (ctx) => ctx.reply(`g at ${ctx.match.index}`));
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await engine.handleEvent(message('r', 'what is the WEATHER in Paris?'));
    await engine.handleEvent(message('r', 'nothing to see'));
    await engine.handleEvent(message('r', 'sing'));
    await engine.handleEvent(message('r', 'sing'));
    expect(texts()).toEqual(['sunny in Paris', 'g at 4', 'g at 1', 'g at 1']);
  });

  it('command() parses arguments, with or without meta, and only for its own name', async () => {
    const { host, sent } = fakeHost();
    const calls: unknown[] = [];
    const plugin = defineBot({
      name: 'cmd',
      setup(bot) {
        bot.command('remind', { description: 'later', usage: '<delay> <text>' }, (ctx) => {
          calls.push(ctx.command);
        });
        bot.command('ping', (ctx) => ctx.reply('pong'));
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await engine.handleEvent(message('r', `!remind 10m "stand up" now`));
    await engine.handleEvent(message('r', '!PING'));
    await engine.handleEvent(message('r', '!pingx'));
    await engine.handleEvent(message('r', 'ping'));
    expect(calls).toEqual([
      { name: 'remind', args: ['10m', 'stand up', 'now'], rest: '10m "stand up" now' },
    ]);
    expect(sent).toEqual([{ room: 'r', text: 'pong' }]);
    expect(engine.commands()).toEqual([
      { plugin: 'cmd', name: 'remind', description: 'later', usage: '<delay> <text>' },
      { plugin: 'cmd', name: 'ping', description: '' },
    ]);
  });

  it('uses the configured prefix', async () => {
    const { host, texts } = fakeHost();
    const plugin = defineBot({
      name: 'p',
      setup: (bot) => void bot.command('ping', (ctx) => ctx.reply(`pong ${ctx.bot.prefix}`)),
    });
    const engine = createBotEngine({ host, plugins: [plugin], prefix: '.' });
    await engine.handleEvent(message('r', '!ping'));
    await engine.handleEvent(message('r', '.ping'));
    expect(texts()).toEqual(['pong .']);
    expect(() => createBotEngine({ host, prefix: '' })).toThrow(/not a command prefix/);
    expect(() => createBotEngine({ host, prefix: 'a b' })).toThrow(/not a command prefix/);
  });

  it('runs message hooks in registration order, onMessage included for commands', async () => {
    const order: string[] = [];
    const plugin = defineBot({
      name: 'order',
      setup(bot) {
        bot.command('go', () => void order.push('command'));
        bot.onMessage(() => void order.push('message'));
        bot.hear(/go/, () => void order.push('hear'));
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.handleEvent(message('r', '!go'));
    expect(order).toEqual(['command', 'message', 'hear']);
  });

  it('runs one plugin’s events in order even when they are not awaited', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const plugin = defineBot({
      name: 'slow',
      setup(bot) {
        bot.onJoin(async (ctx) => {
          await gate;
          seen.push(`join ${ctx.user}`);
        });
        bot.onMessage((ctx) => void seen.push(`message ${ctx.text}`));
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    void engine.handleEvent({ kind: 'join', room: 'r', user: 'ann' });
    const second = engine.handleEvent(message('r', 'hello'));
    release();
    await second;
    expect(seen).toEqual(['join ann', 'message hello']);
  });

  it('idle() waits for running handlers', async () => {
    let done = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const plugin = defineBot({
      name: 'slow',
      setup: (bot) =>
        void bot.onMessage(async () => {
          await gate;
          done = true;
        }),
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.idle();
    void engine.handleEvent(message('r', 'x'));
    const idle = engine.idle();
    release();
    await idle;
    expect(done).toBe(true);
  });
});
