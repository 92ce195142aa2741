import { describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { type BotEngine, createBotEngine } from '../../src/bot/engine.js';
import { fakeHost, message } from './fake-host.js';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// Events a plugin finishes at once run inside handleEvent (issue 17); these pin down that
// the shortcut keeps one plugin's events in arrival order whatever its hooks do.
describe('plugin queue with events run at once', () => {
  it('runs a synchronous hook before handleEvent returns, and queues behind an async one', async () => {
    const seen: string[] = [];
    const slow = gate();
    const plugin = defineBot({
      name: 'mixed',
      setup(bot) {
        bot.onMessage((ctx) => {
          if (ctx.text !== 'slow') {
            seen.push(ctx.text);
            return;
          }
          seen.push('slow start');
          return slow.promise.then(() => void seen.push('slow end'));
        });
      },
    });
    const engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.ready();
    await engine.idle();
    const done = [engine.handleEvent(message('lobby', 'a', 'ann'))];
    expect(seen).toEqual(['a']);
    done.push(engine.handleEvent(message('lobby', 'slow', 'ann')));
    done.push(engine.handleEvent(message('lobby', 'b', 'ann')));
    done.push(engine.handleEvent(message('lobby', 'c', 'ann')));
    expect(seen).toEqual(['a', 'slow start']);
    slow.open();
    await Promise.all(done);
    await engine.idle();
    expect(seen).toEqual(['a', 'slow start', 'slow end', 'b', 'c']);
  });

  it('an event a hook dispatches to its own plugin waits until that hook has finished', async () => {
    const seen: string[] = [];
    const later = gate();
    let engine!: BotEngine;
    const plugin = defineBot({
      name: 'reentrant',
      setup(bot) {
        bot.onMessage(async (ctx) => {
          seen.push(`${ctx.text} start`);
          if (ctx.text === 'first') {
            // Synchronously, while this hook runs inside handleEvent.
            void engine.handleEvent(message('lobby', 'second', 'ann'));
            await later.promise;
          }
          seen.push(`${ctx.text} end`);
        });
      },
    });
    engine = createBotEngine({ host: fakeHost().host, plugins: [plugin] });
    await engine.ready();
    await engine.idle();
    const first = engine.handleEvent(message('lobby', 'first', 'ann'));
    // Several turns of the microtask queue: 'second' must not start meanwhile.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(seen).toEqual(['first start']);
    later.open();
    await first;
    await engine.idle();
    expect(seen).toEqual(['first start', 'first end', 'second start', 'second end']);
  });

  it('a synchronous hook that throws is reported and the next event still runs', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const plugin = defineBot({
      name: 'thrower',
      setup(bot) {
        bot.onMessage((ctx) => {
          if (ctx.text === 'boom') throw new Error('boom');
          seen.push(ctx.text);
        });
      },
    });
    const engine = createBotEngine({
      host: fakeHost().host,
      plugins: [plugin],
      onPluginError: (err) => errors.push(`${err.plugin} ${err.hook}`),
    });
    await engine.ready();
    await engine.handleEvent(message('lobby', 'boom', 'ann'));
    await engine.handleEvent(message('lobby', 'after', 'ann'));
    await engine.idle();
    expect(errors).toEqual(['thrower onMessage']);
    expect(seen).toEqual(['after']);
  });
});
