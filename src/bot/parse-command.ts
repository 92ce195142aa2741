import type { ParsedCommand } from './types.js';

/** Command names: what follows the prefix up to the first white space. */
export const COMMAND_NAME = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * Reads `<prefix><name> args...` from a message, or `undefined` when it is not one.
 *
 * @example
 * parseCommand('!remind 10m "stand up"', '!');
 * // { name: 'remind', args: ['10m', 'stand up'], rest: '10m "stand up"' }
 */
export function parseCommand(text: string, prefix: string): ParsedCommand | undefined {
  if (!text.startsWith(prefix)) return undefined;
  const body = text.slice(prefix.length);
  const space = body.search(/\s/);
  const name = space === -1 ? body : body.slice(0, space);
  if (!COMMAND_NAME.test(name)) return undefined;
  const rest = space === -1 ? '' : body.slice(space).trim();
  return { name: name.toLowerCase(), args: splitArgs(rest), rest };
}

/**
 * Splits on white space; a "double" or 'single' quoted run is one argument (quotes removed),
 * and a backslash inside double quotes escapes the next character. A quote opens only at the
 * start of an argument, so `don't` stays one word. An unclosed quote runs to the end, so no
 * input is ever rejected or lost.
 */
export function splitArgs(input: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < input.length) current += input[++i];
      else current += ch;
    } else if ((ch === '"' || ch === "'") && !inArg) {
      quote = ch;
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (inArg) args.push(current);
  return args;
}
