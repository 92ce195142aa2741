import { durationProblem, parseDuration } from '../config/duration.js';
import { ConfigError } from '../errors.js';

/**
 * A duration given on the command line, in milliseconds. A bare number is **seconds**, as
 * `timeout 10`, `mosquitto_sub -W 10` and `sleep 10` read it (`-W 10` waiting 10 ms was a
 * trap); `500ms`, `2s`, `1.5m`, `1h` work as everywhere else. The config file keeps its own
 * rule (a bare number there is milliseconds). `undefined` when the flag was not given.
 *
 * @example
 * flagDuration('10', '-W'); // 10000
 * flagDuration('250ms', '--timeout'); // 250
 */
export function flagDuration(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const input = /^\d+(\.\d+)?$/.test(text) ? `${text}s` : text;
  if (durationProblem(input) !== undefined) {
    throw new ConfigError([
      `${flag}: ${JSON.stringify(String(value))} is not a duration (expected seconds as a bare number, or a number followed by ms, s, m or h, e.g. 10, 500ms, 2s, 5m, 1h)`,
    ]);
  }
  return parseDuration(input, flag);
}
