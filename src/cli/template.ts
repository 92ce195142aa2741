import type { RoomMessage } from '../client/index.js';
import { formatMessage } from './format.js';

/** What a `listen -F` template may hold, for --help, docs and every error message. */
export const TEMPLATE_HELP =
  '%r room, %u sender (empty when unknown), %t text, %T time received (ISO 8601), ' +
  '%U time as Unix seconds, %l text length in bytes, %j the message as JSON (as -o json), ' +
  '%% a literal %; escapes \\n \\t \\r \\e \\\\';

type Field = (message: RoomMessage, time: Date) => string;

const FIELDS: Record<string, Field> = {
  r: (m) => m.room,
  u: (m) => m.sender ?? '',
  t: (m) => m.text,
  T: (_, time) => time.toISOString(),
  U: (_, time) => (time.getTime() / 1000).toFixed(3),
  l: (m) => String(Buffer.byteLength(m.text)),
  j: (m, time) => formatMessage(m, 'json', time),
};

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\u001b', '\\': '\\' };

export type CompiledTemplate =
  | { format: (message: RoomMessage, time?: Date) => string }
  | { problem: string };

/**
 * Compiles a `listen -F` template, in the style of mosquitto_sub's -F: `%` fields and `\`
 * escapes, everything else as written. Checked once, before connecting, so a typo is a
 * usage error and not a run of wrong output. `problem` is one line naming the column.
 */
export function compileTemplate(template: string): CompiledTemplate {
  const parts: Array<string | Field> = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '%' && c !== '\\') {
      literal += c;
      continue;
    }
    const next = template[i + 1];
    const column = i + 1;
    if (next === undefined) {
      return {
        problem:
          c === '%'
            ? `lone % at column ${column}; write %% for a literal % (${TEMPLATE_HELP})`
            : `lone \\ at column ${column}; write \\\\ for a literal \\ (${TEMPLATE_HELP})`,
      };
    }
    i += 1;
    if (c === '%' && next === '%') literal += '%';
    else if (c === '%' && FIELDS[next]) {
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(FIELDS[next]);
    } else if (c === '\\' && ESCAPES[next] !== undefined) literal += ESCAPES[next];
    else {
      const what = c === '%' ? `unknown %${next}` : `unknown escape \\${next}`;
      return { problem: `${what} at column ${column}; a template may hold ${TEMPLATE_HELP}` };
    }
  }
  if (literal !== '') parts.push(literal);
  return {
    format: (message, time = new Date()) => {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : part(message, time);
      return out;
    },
  };
}
