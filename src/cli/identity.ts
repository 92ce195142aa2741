import { hostname } from 'node:os';
import { MAX_NAME_LENGTH, nameProblem } from '../protocol/names.js';

/** Code points of `s`, so truncation never cuts a surrogate pair in half. */
function codePoints(s: string): string[] {
  return [...s];
}

function fitName(base: string, tail: string): string {
  const room = MAX_NAME_LENGTH - codePoints(tail).length;
  return codePoints(base).slice(0, Math.max(room, 0)).join('') + tail;
}

/**
 * The username a CLI process uses when none is given: `cli-<host>-<pid>`, with the host
 * cut (never the pid, which is what keeps two processes apart) to fit 20 characters.
 *
 * @example
 * generatedUserName('build-agent-07.ci.example.com', 4321); // 'cli-build-agent-4321'
 */
export function generatedUserName(host = hostname(), pid = process.pid): string {
  // The first DNS label, stripped of anything a name may not hold.
  const label = (host.split('.')[0] ?? '').replace(/[\s\p{Cc}:\uFFFD\p{Cs}]/gu, '');
  const tail = `-${pid}`;
  const name = label === '' ? `cli${tail}` : fitName(`cli-${label}`, tail);
  return nameProblem('username', name) === undefined ? name : `cli${tail}`;
}

/** `name` with `-n` appended, shortening `name` when needed to stay within 20 characters. */
export function suffixedName(name: string, n: number): string {
  return fitName(name, `-${n}`);
}
