import { describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { createBotEngine } from '../../src/bot/engine.js';
import type { AnyContext, Bot } from '../../src/bot/types.js';
import { ConfigError, PluginError } from '../../src/errors.js';
import { fakeHost, message } from './fake-host.js';

const echo = defineBot({
  name: 'echo',
  setup: (bot) => void bot.onMessage((c) => c.reply(c.text)),
});

describe('isolation', () => {
  it.each([
    [
      'throws',
      () => {
        throw new Error('kaput');
      },
    ],
    [
      'rejects',
      async () => {
        throw new Error('kaput');
      },
    ],
  ])('a hook that %s is logged and sent to onError; other plugins carry on', async (_, hook) => {
    const { host, texts, logs } = fakeHost();
    const errors: [PluginError, AnyContext | undefined][] = [];
    const broken = defineBot({
      name: 'broken',
      setup(bot) {
        bot.command('boom', hook);
        bot.onMessage(() => void errors.length); // a later hook of the same plugin still runs
        bot.onError((err, ctx) => void errors.push([err, ctx]));
      },
    });
    const seenByEngine: PluginError[] = [];
    const engine = createBotEngine({
      host,
      plugins: [broken, echo],
      onPluginError: (err) => void seenByEngine.push(err),
    });
    await expect(engine.handleEvent(message('r', '!boom', 'ann'))).resolves.toBeUndefined();
    expect(texts()).toEqual(['!boom']);
    expect(errors).toHaveLength(1);
    const [err, ctx] = errors[0]!;
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ plugin: 'broken', hook: 'command !boom', code: 'PLUGIN_ERROR' });
    expect(err.message).toBe("plugin 'broken' failed in command !boom: kaput");
    expect((err.cause as Error).message).toBe('kaput');
    expect(ctx).toMatchObject({ kind: 'message', text: '!boom', sender: 'ann' });
    expect(seenByEngine).toEqual([err]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        scope: 'broken',
        plugin: 'broken',
        hook: 'command !boom',
        error: 'kaput',
      }),
    );
    // Still alive afterwards.
    await engine.handleEvent(message('r', 'again'));
    expect(texts()).toEqual(['!boom', 'again']);
  });

  it('survives a throwing onError and non-Error throws', async () => {
    const { host, logs } = fakeHost();
    const plugin = defineBot({
      name: 'worse',
      setup(bot) {
        bot.onJoin(() => {
          throw 'a string';
        });
        bot.onError(() => {
          throw new Error('handler broke too');
        });
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await engine.handleEvent({ kind: 'join', room: 'r', user: 'ann' });
    expect(logs.map((l) => [l.hook, l.error])).toEqual([
      ['onJoin', 'a string'],
      ['onError', 'handler broke too'],
    ]);
  });

  it('names lifecycle hooks in errors', async () => {
    const hooks: string[] = [];
    const plugin = defineBot({
      name: 'life',
      setup(bot) {
        const fail = () => {
          throw new Error('no');
        };
        bot.onStart(fail).onReconnect(fail).onStop(fail).onUserList(fail).onRoomDestroyed(fail);
        bot.onLeave(fail).onError((err) => void hooks.push(err.hook));
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.start();
    await engine.handleEvent({ kind: 'reconnect' });
    await engine.handleEvent({ kind: 'userlist', room: 'r', users: [] });
    await engine.handleEvent({ kind: 'leave', room: 'r', user: 'x' });
    await engine.handleEvent({ kind: 'destroyed', room: 'r' });
    await engine.stop();
    expect(hooks).toEqual([
      'onStart',
      'onReconnect',
      'onUserList',
      'onLeave',
      'onRoomDestroyed',
      'onStop',
    ]);
  });

  it('drops a plugin whose setup fails, keeps the others', async () => {
    const { host, texts, logs } = fakeHost();
    const bad = defineBot({
      name: 'bad',
      setup(bot) {
        bot.onMessage((c) => c.reply('should never run'));
        throw new Error('missing API key');
      },
    });
    const engine = createBotEngine({ host, plugins: [bad, echo] });
    await engine.handleEvent(message('r', 'hi'));
    expect(texts()).toEqual(['hi']);
    expect(engine.plugins()).toEqual(['echo']);
    expect(logs).toContainEqual(
      expect.objectContaining({ plugin: 'bad', hook: 'setup', error: 'missing API key' }),
    );
  });

  it('reports misuse of the bot API in setup with plugin and method', async () => {
    const cases: [string, (bot: Bot) => void, RegExp][] = [
      ['command', (b) => b.command('two words', () => {}), /command name "two words"/],
      ['command', (b) => b.command('x', () => {}).command('X', () => {}), /registered twice/],
      ['hear', (b) => b.hear('text' as never, () => {}), /must be a RegExp/],
      ['onMessage', (b) => b.onMessage(undefined as never), /needs a function/],
      ['cron', (b) => b.cron('every minute', () => {}), /not a valid cron/],
      ['cron', (b) => b.cron('* * * * *', { timezone: 'Mars/Base' }, () => {}), /time zone/],
      ['use', (b) => b.use(42 as never), /needs a function/],
    ];
    for (const [method, setup, pattern] of cases) {
      const plugin = defineBot({ name: 'misuse', setup });
      const engine = createBotEngine({ host: fakeHost().host });
      const error = await engine.add(plugin).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ plugin: 'misuse', hook: method });
      expect((error as Error).message).toMatch(pattern);
    }
  });

  it('refuses hooks registered after setup', async () => {
    let saved: Bot | undefined;
    const plugin = defineBot({
      name: 'late',
      setup: (bot) => {
        saved = bot;
      },
    });
    await createBotEngine({ host: fakeHost().host, plugins: [plugin] }).idle();
    expect(() => saved!.onMessage(() => {})).toThrow(/after setup\(\) finished/);
  });

  it('refuses two plugins of one name', () => {
    expect(() => createBotEngine({ host: fakeHost().host, plugins: [echo, echo] })).toThrow(
      ConfigError,
    );
  });
});

describe('middleware', () => {
  it('runs in front of the hooks, in order, around them', async () => {
    const order: string[] = [];
    const plugin = defineBot({
      name: 'mw',
      setup(bot) {
        bot.use(async (ctx, next) => {
          order.push(`1 in ${ctx.kind}`);
          ctx.state.user = ctx.kind === 'message' ? ctx.sender : undefined;
          await next();
          order.push('1 out');
        });
        bot.use(async (_ctx, next) => {
          order.push('2 in');
          await next();
          order.push('2 out');
        });
        bot.onMessage((ctx) => void order.push(`hook ${String(ctx.state.user)}`));
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.handleEvent(message('r', 'x', 'ann'));
    expect(order).toEqual(['1 in message', '2 in', 'hook ann', '2 out', '1 out']);
  });

  it('stops the event when a middleware does not call next', async () => {
    const { host, texts } = fakeHost();
    const plugin = defineBot({
      name: 'gate',
      setup(bot) {
        bot.use((ctx, next) =>
          ctx.kind === 'message' && ctx.sender === 'spammer' ? undefined : next(),
        );
        bot.onMessage((c) => c.reply(`ok ${c.sender}`));
        bot.onJoin((c) => c.reply(`hi ${c.user}`));
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin, echo] });
    await engine.handleEvent(message('r', 'buy now', 'spammer'));
    await engine.handleEvent(message('r', 'hello', 'ann'));
    await engine.handleEvent({ kind: 'join', room: 'r', user: 'spammer' });
    // The gate is this plugin's own: echo still hears the spammer.
    expect(texts()).toEqual(['buy now', 'ok ann', 'hello', 'hi spammer']);
  });

  it('turns a double next() into a PluginError naming the middleware', async () => {
    const errors: PluginError[] = [];
    let hookRuns = 0;
    const plugin = defineBot({
      name: 'twice',
      setup(bot) {
        bot.use(async (_ctx, next) => {
          await next();
          await next();
        });
        bot.onMessage(() => void hookRuns++);
        bot.onError((err) => void errors.push(err));
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.handleEvent(message('r', 'x'));
    expect(hookRuns).toBe(1);
    expect(errors.map((e) => [e.plugin, e.hook, e.message])).toEqual([
      ['twice', 'middleware', expect.stringMatching(/next\(\) was called twice/)],
    ]);
  });
});

describe('add / remove', () => {
  it('adds a plugin at runtime, running onStart when started', async () => {
    const { host, texts } = fakeHost();
    const engine = createBotEngine({ host });
    await engine.start();
    const seen: string[] = [];
    await engine.add(
      defineBot({ name: 'late', setup: (b) => void b.onStart(() => void seen.push('start')) }),
    );
    expect(seen).toEqual(['start']);
    await engine.add({ plugin: echo, options: { x: 1 } });
    await engine.handleEvent(message('r', 'hi'));
    expect(texts()).toEqual(['hi']);
    expect(engine.plugins()).toEqual(['late', 'echo']);
  });

  it('replaces a plugin of the same name only when the new one sets up', async () => {
    const { host, texts } = fakeHost();
    const version = (n: number, fail = false) =>
      defineBot({
        name: 'v',
        setup(bot) {
          if (fail) throw new SyntaxError('oops');
          bot.onMessage((c) => c.reply(`v${n}`));
          bot.onStop(() => void texts().push(`stop v${n}`));
        },
      });
    const engine = createBotEngine({ host, plugins: [version(1)] });
    await engine.start();
    await expect(engine.add(version(2, true))).rejects.toMatchObject({
      plugin: 'v',
      hook: 'setup',
    });
    await engine.handleEvent(message('r', 'x'));
    await engine.add(version(3));
    await engine.handleEvent(message('r', 'x'));
    expect(texts()).toEqual(['v1', 'v3']);
  });

  it('remove() runs onStop, stops the plugin and drops its later sends', async () => {
    const { host, sent, logs } = fakeHost();
    const events: string[] = [];
    let later: ((text: string) => void) | undefined;
    const plugin = defineBot({
      name: 'gone',
      setup(bot) {
        bot.onStart((ctx) => {
          later = (t) => ctx.send('r', t);
        });
        bot.onStop(() => void events.push('stop'));
        bot.onMessage(() => void events.push('message'));
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await engine.start();
    expect(await engine.remove('gone')).toBe(true);
    expect(await engine.remove('gone')).toBe(false);
    await engine.handleEvent(message('r', 'x'));
    later!('after unload');
    expect(events).toEqual(['stop']);
    expect(sent).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/unloaded/) }),
    );
  });

  it('rejects a malformed plugin object with a PluginError', async () => {
    const engine = createBotEngine({ host: fakeHost().host });
    await expect(engine.add({ name: 'x' } as never)).rejects.toThrow(/setup must be a function/);
  });
});
