import { defineBot } from '../../src/bot/define.js';
import type { BotEvent } from '../../src/bot/host.js';
import { withRealTimeout } from '../../src/testing/real-timers.js';

type Recorded = Exclude<BotEvent, { kind: 'message' | 'start' | 'stop' }>;

/** A plugin that records membership and lifecycle events, and lets a test await them. */
export function recorder(name = 'recorder') {
  const events: Recorded[] = [];
  const waiters: Array<{ test: (e: Recorded) => boolean; resolve: (e: Recorded) => void }> = [];
  const push = (event: Recorded) => {
    events.push(event);
    for (const w of waiters.splice(0)) {
      if (w.test(event)) w.resolve(event);
      else waiters.push(w);
    }
  };
  const plugin = defineBot({
    name,
    setup(bot) {
      bot.onJoin((ctx) => push({ kind: 'join', room: ctx.room, user: ctx.user }));
      bot.onLeave((ctx) => push({ kind: 'leave', room: ctx.room, user: ctx.user }));
      bot.onRename((ctx) => push({ kind: 'rename', room: ctx.room, user: ctx.user, old: ctx.old }));
      bot.onUserList((ctx) => push({ kind: 'userlist', room: ctx.room, users: ctx.users }));
      bot.onRoomDestroyed((ctx) => push({ kind: 'destroyed', room: ctx.room }));
      bot.onReconnect(() => push({ kind: 'reconnect' }));
    },
  });
  /** Resolves with the first recorded event (past or future) that passes `test`. */
  const waitFor = (test: (e: Recorded) => boolean, timeout = 5000): Promise<Recorded> => {
    const seen = events.find(test);
    if (seen) return Promise.resolve(seen);
    return withRealTimeout(
      new Promise((resolve) => waiters.push({ test, resolve })),
      timeout,
      () => new Error(`no such event within ${timeout} ms; recorded: ${JSON.stringify(events)}`),
    );
  };
  return { plugin, events, waitFor };
}
