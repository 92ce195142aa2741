import { defineBot } from 'mpcrp-bot';

/**
 * `!help` lists the commands of every loaded bot that the asking user may run (guarded
 * commands only for those their `allow` admits); `!help roll` describes one.
 */
export default defineBot({
  name: 'help',
  description: 'Lists the commands of every loaded bot',
  setup(bot) {
    bot.command(
      'help',
      { description: 'List commands, or describe one', usage: '[command]' },
      async (ctx) => {
        const p = ctx.bot.prefix;
        const all = await ctx.bot.commandsFor(ctx.sender, ctx.room);
        const asked = ctx.command.args[0];
        if (asked === undefined) {
          const names = [...new Set(all.map((c) => c.name))].sort();
          ctx.reply(
            `commands: ${names.map((n) => p + n).join(', ')} (${p}help <command> for more)`,
          );
          return;
        }
        const name = (asked.startsWith(p) ? asked.slice(p.length) : asked).toLowerCase();
        const found = all.filter((c) => c.name === name);
        if (found.length === 0) {
          ctx.reply(`there is no command ${p}${name}; ${p}help lists them all`);
          return;
        }
        for (const c of found) {
          const usage = c.usage ? ` ${c.usage}` : '';
          ctx.reply(`${p}${c.name}${usage} — ${c.description || 'no description'} [${c.plugin}]`);
        }
      },
    );
  },
});
