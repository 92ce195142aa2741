import { defineBot } from 'mpcrp-bot';

export interface RemindOptions {
  /** Longest delay accepted, in minutes; default 1440 (a day). */
  maxMinutes: number;
  /** Most reminders waiting at once; default 100. */
  maxPending: number;
}

const UNIT: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h30m` → milliseconds; `undefined` when it is not a delay. */
export function parseDelay(input: string): number | undefined {
  if (!/^(\d+[smhd])+$/i.test(input)) return undefined;
  let ms = 0;
  for (const [, n, unit] of input.toLowerCase().matchAll(/(\d+)([smhd])/g)) {
    ms += Number(n) * UNIT[unit!]!;
  }
  return ms;
}

/** `!remind 10m stretch` → after ten minutes, `reminder for ann: stretch` in the same room. */
export default defineBot<RemindOptions>({
  name: 'remind',
  description: 'Says something in the room after a delay',
  defaults: { maxMinutes: 1440, maxPending: 100 },
  setup(bot) {
    const pending = new Set<ReturnType<typeof setTimeout>>();

    bot.command(
      'remind',
      { description: 'Remind the room after a delay', usage: '<delay> <text>, e.g. 10m stretch' },
      (ctx) => {
        const [delay = '', ...words] = ctx.command.rest.split(/\s+/);
        const ms = parseDelay(delay);
        const text = words.join(' ');
        const usage = `usage: ${ctx.bot.prefix}remind 10m stretch (delays like 30s, 10m, 1h30m)`;
        if (ms === undefined || ms === 0 || text === '') return ctx.reply(usage);
        // setTimeout fires at once past 2^31-1 ms, so that is a hard ceiling too.
        if (ms > Math.min(ctx.options.maxMinutes * 60_000, 2 ** 31 - 1)) {
          return ctx.reply(`I can wait at most ${ctx.options.maxMinutes} minutes`);
        }
        if (pending.size >= ctx.options.maxPending) {
          return ctx.reply('too many reminders are waiting; try again later');
        }
        const timer = setTimeout(() => {
          pending.delete(timer);
          ctx.reply(ctx.sender ? `reminder for ${ctx.sender}: ${text}` : `reminder: ${text}`);
        }, ms);
        pending.add(timer);
        ctx.reply(`ok, in ${delay}`);
      },
    );

    // Timers would outlive an unloaded or reloaded bot: cancel them.
    bot.onStop(() => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    });
  },
});
