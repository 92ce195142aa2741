import { defineBot as defineBotFromPackage } from 'mpcrp-bot';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { createBotEngine } from '../../src/bot/engine.js';
import type {
  AnyBotPlugin,
  BotPlugin,
  CommandContext,
  CronContext,
  HearContext,
  JoinContext,
  UserListContext,
} from '../../src/bot/types.js';
import { PluginError } from '../../src/errors.js';
import { fakeHost } from './fake-host.js';

describe('defineBot', () => {
  it('returns a frozen, checked plugin', () => {
    const plugin = defineBot({ name: 'ok', rooms: ['lobby'], setup() {} });
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin).toMatchObject({ name: 'ok', rooms: ['lobby'] });
  });

  it('throws a PluginError for a definition JavaScript let through', () => {
    expect(() => defineBot({ name: 'no setup' } as never)).toThrow(PluginError);
    expect(() => defineBot({ name: 'x', setup: 'nope' } as never)).toThrow(
      /plugin 'x' failed in defineBot: setup must be a function/,
    );
    expect(() => defineBot({ name: 'x', setup() {}, description: 3 } as never)).toThrow(
      /description must be a string/,
    );
  });

  it('types every hook context and the options', () => {
    const plugin = defineBot<{ limit: number }>({
      name: 'typed',
      setup(bot) {
        expectTypeOf(bot.options.limit).toEqualTypeOf<number>();
        bot.hear(/x/, (ctx) => expectTypeOf(ctx).toEqualTypeOf<HearContext<{ limit: number }>>());
        bot.hear(/x/, (ctx) => expectTypeOf(ctx.match).toEqualTypeOf<RegExpExecArray>());
        bot.command('c', (ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<CommandContext<{ limit: number }>>();
          expectTypeOf(ctx.command.args).toEqualTypeOf<readonly string[]>();
        });
        bot.onJoin((ctx) => expectTypeOf(ctx).toEqualTypeOf<JoinContext<{ limit: number }>>());
        bot.onUserList((ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<UserListContext<{ limit: number }>>();
          expectTypeOf(ctx.users).toEqualTypeOf<readonly string[]>();
        });
        bot.cron('* * * * *', (ctx) =>
          expectTypeOf(ctx).toEqualTypeOf<CronContext<{ limit: number }>>(),
        );
        bot.use((ctx, next) => {
          if (ctx.kind === 'message') expectTypeOf(ctx.sender).toEqualTypeOf<string | undefined>();
          return next();
        });
        bot.onError((err) => expectTypeOf(err).toEqualTypeOf<PluginError>());
      },
    });
    // A typed plugin still fits where any plugin is expected.
    expectTypeOf(plugin).toExtend<BotPlugin>();
    createBotEngine({ host: fakeHost().host, plugins: [plugin] });
  });
});

describe('typed plugins', () => {
  it('a store shape types bot.store, and the plugin still fits where any plugin is expected', () => {
    type Shape = { count: number; [key: `user:${string}`]: { seen: number } };
    const plugin = defineBot<{ limit: number }, Shape>({
      name: 'typed-store',
      setup(bot) {
        bot.command('c', async () => {
          expectTypeOf(await bot.store.get('count')).toEqualTypeOf<number | undefined>();
          expectTypeOf(await bot.store.get('user:ann')).toEqualTypeOf<
            { seen: number } | undefined
          >();
          await bot.store.update('count', (n) => (n ?? 0) + 1);
          // @ts-expect-error: the shape says count is a number
          await bot.store.set('count', 'many');
          // @ts-expect-error: nor may an update make it a string
          await bot.store.update('count', () => 'many');
        });
        bot.hear(/x/, async (ctx) => {
          // ctx.store has no shape: a type argument types one call.
          expectTypeOf(await ctx.store.get<number>('count')).toEqualTypeOf<number | undefined>();
        });
        bot.setTimeout(() => {}, 1).clear();
      },
    });
    // From the package by name (its declaration files) as well as from the source: two
    // copies of the types, which must still agree on what a plugin is.
    const packaged = defineBotFromPackage<{ limit: number }, Shape>({ name: 'pkg', setup() {} });
    expectTypeOf(plugin).toExtend<AnyBotPlugin>();
    expectTypeOf(packaged).toExtend<AnyBotPlugin>();
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin, packaged] });
    expect(engine.plugins()).toEqual(['typed-store', 'pkg']);
  });
});

describe('bot.cron', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs jobs while started, in the given time zone, and stops them with the bot', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-05T08:59:30Z'));
    const { host, sent } = fakeHost();
    const fires: [number, string][] = [];
    const plugin = defineBot({
      name: 'clock',
      setup(bot) {
        bot.cron('0 * * * *', (ctx) => {
          fires.push([ctx.run, ctx.scheduledAt.toISOString()]);
          ctx.send('lobby', `hour ${ctx.run}`);
        });
        // 10:00 in Berlin (UTC+1 in January) is 09:00 UTC.
        bot.cron('0 10 * * *', { timezone: 'Europe/Berlin' }, (ctx) =>
          ctx.send('lobby', 'ten in Berlin'),
        );
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toEqual([]); // not started: no fires

    vi.setSystemTime(new Date('2026-01-05T08:59:30Z'));
    await engine.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await engine.idle();
    expect(sent.map((s) => s.text).sort()).toEqual(['hour 1', 'ten in Berlin']);
    expect(fires).toEqual([[1, '2026-01-05T09:00:00.000Z']]);

    await engine.stop();
    await vi.advanceTimersByTimeAsync(3 * 3_600_000);
    await engine.idle();
    expect(sent).toHaveLength(2);
  });

  it('reports a failing job as a PluginError naming the expression', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-05T08:59:59Z'));
    const hooks: string[] = [];
    const plugin = defineBot({
      name: 'flaky',
      setup(bot) {
        bot.cron('* * * * *', () => {
          throw new Error('api down');
        });
        bot.onError((err) => void hooks.push(err.hook));
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await engine.idle();
    expect(hooks).toEqual(['cron * * * * *']);
    await engine.remove('flaky');
    await vi.advanceTimersByTimeAsync(120_000);
    await engine.idle();
    expect(hooks).toHaveLength(1);
  });
});
