import { defineBot } from 'mpcrp-bot';

export interface KarmaOptions {
  /** Points a user may give per minute, so nobody can flood the board. Default 10. */
  perMinute: number;
}

/** `name++` or `name--` as a word of its own; a name holds no space, `+` or `-`. */
const VOTE = /(?:^|\s)@?([^\s+-]{1,20})(\+\+|--)(?=\s|$)/;

/**
 * Counts karma per room: `alice++` or `alice--` anywhere in a message, `!karma alice` to
 * ask, `!karma` for the top five. Giving yourself karma does not count.
 */
export default defineBot<KarmaOptions>({
  name: 'karma',
  description: 'Counts name++ and name-- per room',
  defaults: { perMinute: 10 },
  setup(bot) {
    const scores = new Map<string, Map<string, number>>();
    const given = new Map<string, number[]>();
    const board = (room: string) => {
      let s = scores.get(room);
      if (!s) {
        s = new Map();
        scores.set(room, s);
      }
      return s;
    };
    const allowed = (sender: string, now: number) => {
      const recent = (given.get(sender) ?? []).filter((t) => now - t < 60_000);
      if (recent.length >= bot.options.perMinute) return false;
      recent.push(now);
      given.set(sender, recent);
      return true;
    };

    bot.hear(VOTE, (ctx) => {
      const changes: string[] = [];
      for (const [, user, op] of ctx.text.matchAll(new RegExp(VOTE.source, 'g'))) {
        if (user === undefined || op === undefined) continue;
        // Without the sender extension we cannot tell self-votes apart; allow them then.
        if (ctx.sender === user) {
          changes.push(`${user}: nice try`);
          continue;
        }
        if (ctx.sender !== undefined && !allowed(ctx.sender, Date.now())) {
          changes.push(`${ctx.sender}: slow down`);
          break;
        }
        const s = board(ctx.room);
        const score = (s.get(user) ?? 0) + (op === '++' ? 1 : -1);
        s.set(user, score);
        changes.push(`${user} has ${score} karma`);
      }
      if (changes.length > 0) ctx.reply(changes.join(', '));
    });

    bot.command(
      'karma',
      { description: 'karma of a user, or the top five', usage: '[user]' },
      (ctx) => {
        const s = board(ctx.room);
        const who = ctx.command.args[0];
        if (who !== undefined) {
          ctx.reply(`${who} has ${s.get(who) ?? 0} karma`);
          return;
        }
        const top = [...s].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
        ctx.reply(top.length === 0 ? 'no karma yet' : top.map(([u, n]) => `${u} ${n}`).join(', '));
      },
    );
  },
});
