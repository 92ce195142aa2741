import { defineBot } from 'mpcrp-bot';

/** What the store keeps per user (lower-cased name). */
export interface Sighting {
  /** As the server spelled it. */
  name: string;
  room: string;
  /** `joined`, `left` or `spoke`. */
  what: 'joined' | 'left' | 'spoke';
  /** Epoch milliseconds. */
  at: number;
}

export type SeenStore = { [key: `seen:${string}`]: Sighting };

/** `3h 5m ago`, `40s ago`, `just now`. */
export function ago(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 5) return 'just now';
  const parts: string[] = [];
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m && !d) parts.push(`${m}m`);
  if (parts.length === 0) parts.push(`${s}s`);
  return `${parts.join(' ')} ago`;
}

/**
 * `!seen NAME`: when and where the bot last saw someone join, leave or speak. Sightings come
 * from presence events (and messages, when the server names senders) and live in the store.
 */
export default defineBot<Record<string, never>, SeenStore>({
  name: 'seen',
  description: 'Remembers when it last saw each user',
  setup(bot) {
    const key = (name: string) => `seen:${name.toLowerCase()}` as const;
    const note = (name: string, room: string, what: Sighting['what']) =>
      bot.store.set(key(name), { name, room, what, at: Date.now() });

    bot.onJoin((ctx) => note(ctx.user, ctx.room, 'joined'));
    bot.onLeave((ctx) => note(ctx.user, ctx.room, 'left'));

    bot.command(
      'seen',
      { description: 'When a user was last seen', usage: '<name>' },
      async (ctx) => {
        const name = ctx.command.args[0];
        if (name === undefined) return ctx.reply(`usage: ${ctx.bot.prefix}seen <name>`);
        const here = await ctx.users();
        if (here.includes(name)) return ctx.reply(`${name} is here right now`);
        const s = await bot.store.get(key(name));
        if (s === undefined) return ctx.reply(`I have not seen ${name}`);
        const verb =
          s.what === 'spoke' ? 'speaking in' : s.what === 'joined' ? 'joining' : 'leaving';
        ctx.reply(`${s.name} was last seen ${verb} ${s.room}, ${ago(Date.now() - s.at)}`);
      },
    );

    // Last, so `!seen` itself counts as speaking only after it was answered.
    bot.onMessage((ctx) => (ctx.sender ? note(ctx.sender, ctx.room, 'spoke') : undefined));
  },
});
