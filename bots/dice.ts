import { defineBot } from 'mpcrp-bot';

export interface DiceOptions {
  /** Most dice in one roll; default 20. */
  maxDice: number;
  /** Most sides on a die; default 1000. */
  maxSides: number;
  /** Returns a number in [0, 1); default Math.random. Tests pass a seeded one. */
  random?: () => number;
}

export interface Roll {
  spec: string;
  dice: number[];
  modifier: number;
  total: number;
}

const SPEC = /^(\d*)d(\d+)([+-]\d+)?$/i;

/** Rolls `spec` like `2d6`, `d20` or `3d8+2`, or says why it cannot. */
export function rollDice(
  spec: string,
  limits: Pick<DiceOptions, 'maxDice' | 'maxSides'>,
  random: () => number = Math.random,
): Roll | string {
  const m = SPEC.exec(spec.trim());
  if (!m) return `'${spec}' is not a roll; write it like 2d6, d20 or 3d8+2`;
  const count = m[1] === '' ? 1 : Number(m[1]);
  const sides = Number(m[2]);
  const modifier = Number(m[3] ?? 0);
  if (count < 1 || count > limits.maxDice) return `roll 1 to ${limits.maxDice} dice`;
  if (sides < 2 || sides > limits.maxSides) return `dice have 2 to ${limits.maxSides} sides`;
  if (Math.abs(modifier) > 1_000_000) return 'that modifier is too large';
  const dice = Array.from({ length: count }, () => 1 + Math.floor(random() * sides));
  const total = dice.reduce((a, b) => a + b, 0) + modifier;
  return { spec: `${count}d${sides}${m[3] ?? ''}`, dice, modifier, total };
}

/** `!roll 2d6` → `ann rolled 2d6: 3 + 5 = 8`. */
export default defineBot<DiceOptions>({
  name: 'dice',
  description: 'Rolls dice',
  defaults: { maxDice: 20, maxSides: 1000 },
  setup(bot) {
    bot.command(
      'roll',
      { description: 'Roll dice (default 1d6)', usage: '[N]d<sides>[+M], e.g. 2d6 or d20+3' },
      (ctx) => {
        const result = rollDice(ctx.command.args[0] ?? '1d6', ctx.options, ctx.options.random);
        if (typeof result === 'string') {
          ctx.reply(`${result} (usage: ${ctx.bot.prefix}roll 2d6)`);
          return;
        }
        const parts = result.dice.join(' + ');
        const mod =
          result.modifier === 0
            ? ''
            : ` ${result.modifier > 0 ? '+' : '-'} ${Math.abs(result.modifier)}`;
        const who = ctx.sender ? `${ctx.sender} rolled ` : '';
        ctx.reply(`${who}${result.spec}: ${parts}${mod} = ${result.total}`);
      },
    );
  },
});
