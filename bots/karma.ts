import { defineBot } from 'mpcrp-bot';

/** Counts per name, kept in the plugin store under `karma:NAME` (lower-cased). */
export type KarmaStore = { [key: `karma:${string}`]: number };

/** `name++` / `name--` as a word of its own; a name holds no space, `+` or `-`. */
const VOTE = /(?:^|\s)@?([^\s+-]{1,20})(\+\+|--)(?=\s|$|[,.!?;:])/g;

/** Every `name++` / `name--` in `text`, in order: `[['bob', 1], ['ann', -1]]`. */
export function parseVotes(text: string): [string, 1 | -1][] {
  return [...text.matchAll(VOTE)].map((m) => [m[1]!, m[2] === '++' ? 1 : -1]);
}

/**
 * `bob++` or `bob--` anywhere in a message (several per message count), `!karma bob` to ask.
 * Counts live in the store, so they survive restarts; giving yourself karma does not count.
 */
export default defineBot<Record<string, never>, KarmaStore>({
  name: 'karma',
  description: 'Counts name++ and name-- and remembers them',
  setup(bot) {
    const key = (name: string) => `karma:${name.toLowerCase()}` as const;

    bot.hear(/(\+\+|--)/, async (ctx) => {
      if (ctx.command) return;
      for (const [name, delta] of parseVotes(ctx.text)) {
        if (ctx.sender !== undefined && name.toLowerCase() === ctx.sender.toLowerCase()) {
          ctx.reply(`${ctx.sender}, karma for yourself does not count`);
          continue;
        }
        await bot.store.update(key(name), (n) => (n ?? 0) + delta);
      }
    });

    bot.command('karma', { description: "Someone's karma", usage: '<name>' }, async (ctx) => {
      const name = ctx.command.args[0]?.replace(/^@/, '');
      if (name === undefined) return ctx.reply(`usage: ${ctx.bot.prefix}karma <name>`);
      const count = (await bot.store.get(key(name))) ?? 0;
      ctx.reply(`${name} has karma ${count}`);
    });
  },
});
