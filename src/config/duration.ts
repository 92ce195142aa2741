import { ConfigError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/** Why `input` is not a duration ("is ..."), or `undefined` when it is one. */
export function durationProblem(input: unknown): string | undefined {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? undefined : `is ${input}, not a number ≥ 0`;
  }
  if (typeof input !== 'string') return `is ${describeType(input)}`;
  return DURATION.test(input.trim()) ? undefined : `is ${JSON.stringify(input)}, not a duration`;
}

export const DURATION_EXPECTED =
  "milliseconds as a number, or a number followed by ms, s, m or h, e.g. '500ms', '2s', '10m', '1h'";

/**
 * Turns a duration into milliseconds. Numbers (and unit-less strings) are milliseconds.
 * Throws {@link ConfigError} on anything else, so a bad `--timeout` exits like a bad file.
 *
 * @example
 * parseDuration('2s'); // 2000
 * parseDuration('1.5m'); // 90000
 * parseDuration(250); // 250
 */
export function parseDuration(input: string | number, what = 'duration'): number {
  const problem = durationProblem(input);
  if (problem !== undefined) {
    throw new ConfigError([`${what} ${problem} (expected ${DURATION_EXPECTED})`]);
  }
  if (typeof input === 'number') return input;
  const match = DURATION.exec(input.trim())!;
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS]);
}

/** `90000` → `'1m30s'`; the inverse of {@link parseDuration} for display. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value)})`;
  return `a ${typeof value} (${String(value)})`;
}
