import { closest } from '../config/suggest.js';
import { camel, type OptionTable } from './options.js';

/** The command line split at its command: global options given before it, and the rest. */
export interface CommandLine {
  /** The first word that is not a global option (undefined when there is none). */
  command: string | undefined;
  /** Arguments for the parser: the command first, then the global options, then the rest. */
  args: string[];
}

/**
 * Moves global options written before the command (`mpcrp-bot -v run bot.ts`,
 * `mpcrp-bot -c team.yaml schedule list`) to just after it, so both parsers, which read
 * options per command, accept them where users put them. They go before the rest, never
 * after it, so a `--` in the rest still ends the options.
 */
export function hoistGlobals(args: readonly string[], globals: OptionTable): CommandLine {
  const takesValue = new Set<string>();
  const flags = new Set<string>();
  for (const [name, spec] of Object.entries(globals)) {
    const names = [`--${name}`, ...(spec.alias ? [`-${spec.alias}`] : [])];
    for (const n of names) (spec.type === 'string' ? takesValue : flags).add(n);
  }
  const hoisted: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (takesValue.has(name)) {
      hoisted.push(arg);
      if (name === arg && i + 1 < args.length) hoisted.push(args[++i]!);
    } else if (flags.has(name) || /^-v+$/.test(arg)) {
      hoisted.push(arg);
    } else {
      break;
    }
  }
  const command = args[i];
  if (command === undefined || command.startsWith('-'))
    return { command: undefined, args: [...args] };
  return { command, args: [command, ...hoisted, ...args.slice(i + 1)] };
}

/** The names a table accepts, as typed on a command line: `--server`, `-s`, ... */
function flagNames(table: OptionTable): string[] {
  const names: string[] = [];
  for (const [name, spec] of Object.entries(table)) {
    if (spec.hidden) continue;
    names.push(`--${name}`);
    if (spec.alias) names.push(spec.alias.length === 1 ? `-${spec.alias}` : `--${spec.alias}`);
  }
  return names;
}

/**
 * Rewrites yargs' "Unknown argument(s): crate" into one line per unknown flag, each with
 * the closest flag the command takes: `unknown option --crate (did you mean --create?)`.
 * Returns undefined for any other message.
 */
export function explainUnknown(
  message: string,
  table: OptionTable,
  args: readonly string[],
): string | undefined {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return undefined;
  const known = flagNames(table);
  const unknown = match[1]!.split(', ');
  // yargs lists a dashed flag twice, as typed and camel-cased: keep what the user typed.
  const typed = unknown.filter((u) => !unknown.some((o) => o !== u && camel(o) === u));
  const lines = typed.map((u) => {
    const flag = u.length === 1 ? `-${u}` : `--${u}`;
    if (args.includes(u) || !/^[a-zA-Z][\w-]*$/.test(u)) return `unexpected argument '${u}'`;
    const hint = closest(flag, known);
    return `unknown option ${flag}${hint ? ` (did you mean ${hint}?)` : ''}`;
  });
  return lines.join('\n');
}

/** `unknown command 'sendd' (did you mean 'send'?)`, for a first word that is no command. */
export function unknownCommand(word: string, commands: readonly string[]): string {
  const hint = closest(word, commands);
  return `unknown command '${word}'${hint ? ` (did you mean '${hint}'?)` : ''}`;
}
