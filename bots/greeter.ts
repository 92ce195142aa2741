import { defineBot } from 'mpcrp-bot';

export interface GreeterOptions {
  /** `{user}` and `{room}` are filled in. */
  greeting: string;
}

/** Welcomes people by name as they join (at once with the `presence` extension, else at the next poll). */
export default defineBot<GreeterOptions>({
  name: 'greeter',
  description: 'Welcomes people who join a room',
  defaults: { greeting: 'Welcome to {room}, {user}!' },
  setup(bot) {
    const { greeting } = bot.options;
    if (typeof greeting !== 'string' || greeting.trim() === '') {
      throw new TypeError('options.greeting must be a non-empty text, e.g. "Hi {user}!"');
    }
    bot.onJoin((ctx) => {
      ctx.reply(greeting.replaceAll('{user}', ctx.user).replaceAll('{room}', ctx.room));
    });
  },
});
