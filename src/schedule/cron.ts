import { Cron } from 'croner';

/** Example shown when an expression is rejected. */
export const CRON_EXPECTED =
  "a cron expression of 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. '55 9 * * 1-5'";

/** Why `expr` is not a cron expression croner accepts, or `undefined` when it is one. */
export function cronProblem(expr: string): string | undefined {
  try {
    const probe = new Cron(expr);
    // croner also takes an ISO date as a one-off; a schedule must repeat.
    if (probe.getPattern() === undefined) return `'${expr}' is a date, not a repeating schedule`;
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `'${expr}' is not a valid cron expression: ${message.replace(/^CronPattern: /, '')}`;
  }
}

/**
 * A warning when a valid expression can never fire (`0 0 31 2 *`: there is no 31 February),
 * else `undefined`. croner searches some years ahead and gives up; so does this.
 */
export function neverFiresWarning(expr: string, timezone?: string): string | undefined {
  try {
    const probe = new Cron(expr, timezone === undefined ? {} : { timezone });
    if (probe.nextRun() !== null) return undefined;
  } catch {
    return undefined; // cronProblem reports it
  }
  return `'${expr}' matches no date that exists, so it never fires (check the day and month: e.g. 31 in a 30-day month, or 30 February)`;
}

/** Why `tz` is not an IANA time zone this runtime knows, or `undefined`. */
export function timezoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `'${tz}' is not a known time zone`;
  }
}

/** The machine's time zone, used when an announcement names none. */
export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
