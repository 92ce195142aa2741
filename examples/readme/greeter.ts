import { defineBot } from 'mpcrp-bot';

export default defineBot({
  name: 'greeter',
  setup(bot) {
    bot.onJoin((ctx) => ctx.reply(`welcome, ${ctx.user}!`));
    bot.command('ping', { description: 'answers pong' }, (ctx) => ctx.reply('pong'));
  },
});
