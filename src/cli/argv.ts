import { closest } from '../config/suggest.js';
import type { OptionTable } from './options.js';

/**
 * The shared layer between argv and the commands: global options before the command,
 * mistyped commands and actions, and unknown options, each told in one line.
 */

/** Where `mpcrp-bot CMD --help` is suggested, the commands' usage is found. */
const help = (command?: string) => `see \`mpcrp-bot ${command ? `${command} ` : ''}--help\``;

/**
 * Moves the global options given before the command after it, so that
 * `mpcrp-bot -c team.yaml schedule list` and `mpcrp-bot -v run bot.ts` mean what they say.
 * Stops at the first argument that is not a global option (the command, or a mistake that
 * the parser then reports).
 */
export function hoistGlobals(args: readonly string[], globals: OptionTable): string[] {
  const takesValue = new Set<string>();
  const flags = new Set<string>();
  for (const [name, spec] of Object.entries(globals)) {
    const names = [`--${name}`, ...(spec.alias ? [`-${spec.alias}`] : [])];
    for (const n of names) (spec.type === 'string' ? takesValue : flags).add(n);
  }
  const shortFlags = Object.values(globals)
    .filter((s) => s.type !== 'string' && s.alias?.length === 1)
    .map((s) => s.alias!)
    .join('');
  const bundled = new RegExp(`^-[${shortFlags}]+$`);
  const moved: string[] = [];
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    const [head] = arg.split('=', 1) as [string];
    if (takesValue.has(head)) {
      const withValue = arg.includes('=') ? 1 : 2;
      moved.push(...args.slice(i, i + withValue));
      i += withValue;
    } else if (flags.has(arg) || (shortFlags !== '' && bundled.test(arg))) {
      moved.push(arg);
      i += 1;
    } else break;
  }
  if (moved.length === 0 || i >= args.length) return [...args];
  return [args[i]!, ...moved, ...args.slice(i + 1)];
}

/** One line for a command that does not exist, with the closest one when there is one. */
export function unknownCommand(name: string, commands: readonly string[]): string {
  const guess = closest(name, commands);
  return `unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''} (${help()} for the list)`;
}

/**
 * The first positional after the command: its action (`config check`), if any.
 * `valued` holds the options that take a value (`-c`, `--config`), whose value is skipped.
 */
export function firstPositional(
  args: readonly string[],
  valued: ReadonlySet<string>,
): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (!arg.includes('=') && valued.has(arg)) i += 1;
  }
  return undefined;
}

/** One line for a missing or unknown action of a command that needs one. */
export function actionProblem(
  command: string,
  action: string | undefined,
  actions: readonly string[],
  synopsis: string,
): string | undefined {
  if (action !== undefined && actions.includes(action)) return undefined;
  const list = actions.join(', ');
  if (action === undefined) {
    return `${command}: say what to do: ${list} (e.g. mpcrp-bot ${synopsis}; ${help(command)})`;
  }
  const guess = closest(action, actions);
  return `${command}: unknown action '${action}'${guess ? `; did you mean '${guess}'?` : ` (expected ${list})`} (${help(command)})`;
}

/**
 * Turns a yargs failure message into one line that names the command and, for an unknown
 * option, the option it probably meant. `known` holds every option and alias the command
 * takes; `args` is what was typed, to tell options from stray positionals.
 */
export function explainFailure(
  message: string,
  command: string | undefined,
  known: readonly string[],
  args: readonly string[],
): string {
  const where = command ? `${command}: ` : '';
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const names = unknown[1]!.split(', ');
    const typed = new Set(args.map((a) => a.split('=', 1)[0]!));
    const parts = names.map((name) => {
      const flag = typed.has(`--${name}`) ? `--${name}` : typed.has(`-${name}`) ? `-${name}` : '';
      if (flag === '') return `unexpected argument '${name}'`;
      const guess = closest(
        name,
        known.filter((k) => k.length > 1),
      );
      return `unknown option ${flag}${guess ? `; did you mean --${guess}?` : ''}`;
    });
    // Stray positionals are often the words of a mistyped option's value: options first.
    parts.sort((a, b) => Number(a.startsWith('unexpected')) - Number(b.startsWith('unexpected')));
    return `${where}${parts[0]} (${help(command)})`;
  }
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  return `${where}${line.charAt(0).toLowerCase()}${line.slice(1)} (${help(command)})`;
}
