// The bot runtime when the server dies in the middle of a paced stream. Unreachable
// servers, stale names and rooms destroyed under the bot are covered in test/runtime.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BotTest, createBotTest } from '../../src/testing/index.js';

let t: BotTest | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
});

describe('server stopped mid-stream and restarted', () => {
  it('delivers every queued message exactly once, in order, across the outage', async () => {
    // Installed first: the runtime reads its clock from here on (the kit's own waits use
    // real time). Only timers and the clock; sockets need real I/O.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    t = await createBotTest({
      bots: [],
      username: 'herald',
      options: {
        outbox: { rate: 5, burst: 3 },
        // A fixed 500 ms reconnect delay, on fake time: the listener is back in first.
        reconnect: { initialDelay: 1000, maxDelay: 1000, random: () => 0.5 },
      },
    });
    const before = await t.user('alice');
    await before.join('lobby');
    await t.settle();
    const texts = Array.from({ length: 20 }, (_, i) => `m${i + 1}`);
    for (const text of texts) expect(t.runtime.send('lobby', text)).toBe(true);
    // The burst goes at once, then one message per 200 ms: stop after the fifth.
    await before.expectMessage('lobby', 'm3');
    await vi.advanceTimersByTimeAsync(400);
    await before.expectMessage('lobby', 'm5');

    const down = new Promise((resolve) => t!.runtime.once('disconnected', resolve));
    const back = t.reconnected();
    await t.stopServer();
    await down;
    expect(t.runtime.outboxStats.queued).toBe(15);
    await vi.advanceTimersByTimeAsync(200); // no server: nothing may leave the outbox
    expect(t.runtime.outboxStats.queued).toBe(15);

    await t.startServer();
    const after = await t.user('alice');
    await after.join('lobby');
    await vi.advanceTimersByTimeAsync(500);
    await back;
    await vi.advanceTimersByTimeAsync(15 * 200);
    vi.useRealTimers();
    await t.settle();

    const received = (u: typeof before) =>
      u.messages.filter((m) => m.room === 'lobby').map((m) => m.text);
    expect(received(before)).toEqual(texts.slice(0, 5));
    expect(received(after)).toEqual(texts.slice(5));
    expect(t.runtime.outboxStats).toMatchObject({ queued: 0, sent: 20, discarded: 0 });
  });
});
