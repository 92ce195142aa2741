import { defineBot } from 'mpcrp-bot';

/** Says every message back to the room it came from. Handy to check a bot is alive. */
export default defineBot({
  name: 'echo',
  description: 'Repeats every message in the room',
  setup(bot) {
    bot.onMessage((ctx) => {
      if (ctx.text !== '') ctx.reply(ctx.text);
    });
  },
});
