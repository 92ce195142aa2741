import { InvalidNameError } from '../errors.js';

/** Names are 1 to 20 Unicode code points (decisions.md). */
export const MAX_NAME_LENGTH = 20;

// \s covers Unicode white space (incl. NBSP, U+2000-U+200A, U+3000, BOM); \p{Cc} the C0/C1 controls.
const FORBIDDEN = /[\s\p{Cc}]/u;
const LONE_SURROGATE = /\p{Cs}/u;

export type NameKind = 'username' | 'room';

/**
 * Checks a username or room ID against the naming rules. Returns the reason it is
 * invalid, or `undefined` when it is fine. The one place these rules live.
 */
export function nameProblem(kind: NameKind, value: string): string | undefined {
  if (value.length === 0) return 'it is empty';
  let count = 0;
  for (const _ of value) {
    count += 1;
    if (count > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  }
  if (FORBIDDEN.test(value)) return 'it contains white space or a control character';
  if (kind === 'room' && value.includes(':')) return "a room ID cannot contain ':'";
  // A lone surrogate has no UTF-8 form: it would go out as U+FFFD, a different name.
  if (value.includes('\uFFFD') || LONE_SURROGATE.test(value)) return 'it is not valid UTF-8';
  return undefined;
}

export function isValidName(kind: NameKind, value: string): boolean {
  return nameProblem(kind, value) === undefined;
}

/** Throws {@link InvalidNameError} when `value` is not a valid name of that kind. */
export function assertName(kind: NameKind, value: string): string {
  const problem = nameProblem(kind, value);
  if (problem !== undefined) throw new InvalidNameError(kind, value, problem);
  return value;
}
