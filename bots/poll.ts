import { defineBot } from 'mpcrp-bot';

export interface PollOptions {
  /** How long a poll stays open, in seconds. Default 120. */
  seconds: number;
  /** Most choices per poll. Default 9. */
  maxChoices: number;
}

/** An open poll, kept in the store under `poll:ROOM` until it closes. */
export interface Poll {
  question: string;
  choices: string[];
  /** Voter -> index of the chosen option. */
  votes: Record<string, number>;
  /** Epoch milliseconds. */
  closesAt: number;
}

export type PollStore = { [key: `poll:${string}`]: Poll };

/** `Lunch? pizza, sushi, salad` → question and choices; undefined when it is not a poll. */
export function parsePoll(text: string): { question: string; choices: string[] } | undefined {
  const cut = text.indexOf('?');
  if (cut <= 0) return undefined;
  const question = text.slice(0, cut + 1).trim();
  const choices = text
    .slice(cut + 1)
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  return choices.length >= 2 ? { question, choices } : undefined;
}

/** `pizza 2, sushi 1, salad 0` sorted by votes, then the tally line. */
export function results(poll: Poll): string {
  const counts = poll.choices.map(() => 0);
  for (const i of Object.values(poll.votes)) counts[i] = (counts[i] ?? 0) + 1;
  const rows = poll.choices
    .map((c, i) => ({ c, n: counts[i]! }))
    .sort((a, b) => b.n - a.n)
    .map(({ c, n }) => `${c} ${n}`);
  const total = Object.keys(poll.votes).length;
  return `poll closed: ${poll.question} ${rows.join(', ')} (${total} vote${total === 1 ? '' : 's'})`;
}

/**
 * `!poll Lunch? pizza, sushi, salad` opens a poll in the room; people vote by saying a
 * number (`2`), one vote per user (a new number changes it); the results are posted when
 * the time is up. Needs the server to name senders: without `sender` it refuses to open
 * a poll, since votes could not be told apart.
 */
export default defineBot<PollOptions, PollStore>({
  name: 'poll',
  description: 'Quick polls: vote by number',
  defaults: { seconds: 120, maxChoices: 9 },
  setup(bot) {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const key = (room: string) => `poll:${room}` as const;

    const close = async (room: string, send: (room: string, text: string) => void) => {
      timers.delete(room);
      const poll = await bot.store.get(key(room));
      if (poll === undefined) return;
      await bot.store.delete(key(room));
      send(room, results(poll));
    };
    const arm = (room: string, at: number, send: (room: string, text: string) => void) => {
      clearTimeout(timers.get(room));
      timers.set(
        room,
        setTimeout(() => void close(room, send), Math.max(0, at - Date.now())),
      );
    };

    bot.command(
      'poll',
      { description: 'Open a poll', usage: 'Question? choice, choice, ...' },
      async (ctx) => {
        const p = ctx.bot.prefix;
        if (ctx.sender === undefined) {
          return ctx.reply(
            "polls need to know who votes, and this server does not say (it grants no 'sender' extension)",
          );
        }
        const parsed = parsePoll(ctx.command.rest);
        if (parsed === undefined) return ctx.reply(`usage: ${p}poll Lunch? pizza, sushi, salad`);
        if (parsed.choices.length > ctx.options.maxChoices) {
          return ctx.reply(`at most ${ctx.options.maxChoices} choices, please`);
        }
        if ((await bot.store.get(key(ctx.room))) !== undefined) {
          return ctx.reply('a poll is already open here; wait for its results');
        }
        const ms = ctx.options.seconds * 1000;
        const poll: Poll = { ...parsed, votes: {}, closesAt: Date.now() + ms };
        // The TTL cleans up a poll whose bot never came back to close it.
        await bot.store.set(key(ctx.room), poll, { ttl: ms + 3_600_000 });
        arm(ctx.room, poll.closesAt, ctx.send);
        const list = parsed.choices.map((c, i) => `${i + 1}) ${c}`).join(' ');
        ctx.reply(
          `poll: ${parsed.question} ${list} — say a number to vote (${ctx.options.seconds}s)`,
        );
      },
    );

    bot.hear(/^\s*(\d{1,2})\s*$/, async (ctx) => {
      if (ctx.sender === undefined) return;
      const choice = Number(ctx.match[1]) - 1;
      const voter = ctx.sender;
      await bot.store.update(key(ctx.room), (poll) => {
        if (poll === undefined || poll.closesAt <= Date.now()) return poll;
        if (choice < 0 || choice >= poll.choices.length) return poll;
        return { ...poll, votes: { ...poll.votes, [voter]: choice } };
      });
    });

    // After a restart: close what is still open, on time.
    bot.onStart(async (ctx) => {
      for (const k of await bot.store.keys('poll:')) {
        const poll = await bot.store.get(k as `poll:${string}`);
        if (poll) arm(k.slice('poll:'.length), poll.closesAt, ctx.send);
      }
    });
    bot.onStop(() => {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    });
  },
});
