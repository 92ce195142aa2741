// The engine's fault model without a server: plugin-owned timers and tasks, hook budgets,
// per-plugin queues, the plugin frame, loop protection and setup failures.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { createBotEngine } from '../../src/bot/engine.js';
import { currentFrame } from '../../src/bot/plugin-scope.js';
import { HookTimeoutError, type PluginError } from '../../src/errors.js';
import { fakeHost, message } from './fake-host.js';

afterEach(() => {
  vi.useRealTimers();
});

const echo = defineBot({
  name: 'echo',
  setup: (bot) => void bot.onMessage((c) => c.reply(c.text)),
});

describe('timers and tasks a plugin owns', () => {
  it('routes a throwing bot.setTimeout / bot.setInterval / bot.task to onError, and clears them on stop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { host, logs } = fakeHost();
    const errors: PluginError[] = [];
    let ticks = 0;
    let aborted = false;
    const plugin = defineBot({
      name: 'timed',
      setup(bot) {
        bot.onError((err) => void errors.push(err));
        bot.onStart(() => {
          bot.setTimeout(() => {
            throw new Error('once');
          }, 100);
          bot.setInterval(() => {
            ticks += 1;
          }, 50);
          void bot.task(
            async (signal) => {
              await new Promise((resolve) => signal.addEventListener('abort', resolve));
              aborted = true;
            },
            { name: 'waiter' },
          );
          void bot.task(
            async () => {
              await null;
              throw new Error('task failed');
            },
            { name: 'failing' },
          );
        });
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await engine.start();
    await vi.advanceTimersByTimeAsync(120);
    expect(errors.map((e) => [e.hook, (e.cause as Error).message])).toEqual([
      ['task failing', 'task failed'],
      ['setTimeout', 'once'],
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({ scope: 'timed', hook: 'setTimeout', error: 'once' }),
    );
    expect(ticks).toBe(2);
    await engine.stop();
    expect(aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(ticks).toBe(2);
  });

  it('runs timer and task callbacks inside the plugin frame, which plain timers inherit', async () => {
    const { host } = fakeHost();
    const seen: (string | undefined)[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const plugin = defineBot({
      name: 'framed',
      setup(bot) {
        bot.command('go', () => {
          setTimeout(() => {
            seen.push(`${currentFrame()?.plugin}:${currentFrame()?.hook}`);
            done();
          }, 1);
        });
      },
    });
    const engine = createBotEngine({ host, plugins: [plugin] });
    await engine.handleEvent(message('r', '!go', 'ann'));
    await finished;
    expect(seen).toEqual(['framed:command !go']);
    expect(currentFrame()).toBeUndefined();
  });
});

describe('hook budgets', () => {
  it('abandons a handler over the event budget, drops its late sends, and never blocks other plugins', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, texts, logs } = fakeHost();
    const errors: PluginError[] = [];
    let release!: () => void;
    const stuck = defineBot({
      name: 'stuck',
      setup(bot) {
        bot.onError((err) => void errors.push(err));
        bot.onMessage(async (ctx) => {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          ctx.reply('too late');
        });
      },
    });
    const engine = createBotEngine({
      host,
      plugins: [stuck, echo],
      timeouts: { event: 1000 },
    });
    const first = engine.handleEvent(message('r', 'one', 'ann'));
    await vi.advanceTimersByTimeAsync(0);
    expect(texts()).toEqual(['one']); // echo did not wait for stuck
    await vi.advanceTimersByTimeAsync(1000);
    await first;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.hook).toBe('onMessage');
    expect(errors[0]!.cause).toBeInstanceOf(HookTimeoutError);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'onMessage did not settle within 1000 ms; abandoned it',
        plugin: 'stuck',
      }),
    );
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(texts()).toEqual(['one']);
  });

  it('bounds stop() by the stop budget when onStop never settles', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host } = fakeHost();
    const hung = defineBot({
      name: 'hung',
      setup: (bot) => void bot.onStop(() => new Promise(() => {})),
    });
    const engine = createBotEngine({ host, plugins: [hung], timeouts: { stop: 2000 } });
    await engine.start();
    let stopped = false;
    void engine.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
  });

  it('fails a setup that does not settle within the start budget; ready() lists it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host } = fakeHost();
    const never = defineBot({ name: 'never', setup: () => new Promise(() => {}) });
    const broken = defineBot({
      name: 'broken',
      setup() {
        throw new Error('no key');
      },
    });
    const engine = createBotEngine({
      host,
      plugins: [never, broken, echo],
      timeouts: { start: 500 },
    });
    const ready = engine.ready();
    await vi.advanceTimersByTimeAsync(500);
    const failures = await ready;
    expect(failures.map((f) => [f.plugin, f.hook])).toEqual([
      ['never', 'setup'],
      ['broken', 'setup'],
    ]);
    expect(failures[0]!.cause).toBeInstanceOf(HookTimeoutError);
    expect(engine.plugins()).toEqual(['echo']);
  });
});

describe('a hook that holds the event loop', () => {
  it('is logged with plugin, hook and how long', async () => {
    const { host, logs } = fakeHost();
    const hog = defineBot({
      name: 'hog',
      setup(bot) {
        bot.command('spin', () => {
          const end = performance.now() + 60;
          while (performance.now() < end);
        });
      },
    });
    const engine = createBotEngine({ host, plugins: [hog], blockedWarn: 50 });
    await engine.handleEvent(message('r', '!spin', 'ann'));
    const record = logs.find((l) => l.msg.includes('held the event loop'));
    expect(record).toMatchObject({ level: 'warn', plugin: 'hog', hook: 'command !spin' });
    expect(record!.ms as number).toBeGreaterThanOrEqual(50);
  });
});

describe('loop protection', () => {
  it('stops answering one sender in one room after maxReplies within the window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { host, texts, logs } = fakeHost();
    const engine = createBotEngine({
      host,
      plugins: [echo],
      loopGuard: { maxReplies: 3, window: 10_000 },
    });
    for (let i = 1; i <= 5; i += 1) await engine.handleEvent(message('r', `b${i}`, 'otherbot'));
    await engine.handleEvent(message('r', 'human', 'ann')); // another sender is unaffected
    expect(texts()).toEqual(['b1', 'b2', 'b3', 'human']);
    expect(logs.filter((l) => l.msg.startsWith('loop protection'))).toHaveLength(1);
    vi.setSystemTime(Date.now() + 10_000);
    await engine.handleEvent(message('r', 'b6', 'otherbot'));
    expect(texts().at(-1)).toBe('b6');
  });

  it('ignores messages from listed users altogether', async () => {
    const { host, texts } = fakeHost();
    const engine = createBotEngine({ host, plugins: [echo], loopGuard: { ignore: ['bridge'] } });
    await engine.handleEvent(message('r', 'relayed', 'bridge'));
    await engine.handleEvent(message('r', 'hi', 'ann'));
    expect(texts()).toEqual(['hi']);
  });
});

describe('stopping a stuck bot', () => {
  it('drops its backlog after the abandoned hook, so stop() waits one event budget, not one per queued event', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host } = fakeHost();
    let stopped = false;
    const stuck = defineBot({
      name: 'stuck',
      setup(bot) {
        bot.onMessage(() => new Promise(() => {}));
        bot.onStop(() => {
          stopped = true;
        });
      },
    });
    const engine = createBotEngine({ host, plugins: [stuck], timeouts: { event: 1000 } });
    await engine.start();
    for (let i = 0; i < 20; i += 1) void engine.handleEvent(message('r', `m${i}`, 'ann'));
    const stopping = engine.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopping;
    expect(stopped).toBe(true);
    await engine.idle();
  });
});
