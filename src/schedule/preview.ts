import { Cron } from 'croner';
import { localTimezone } from './cron.js';

export interface PreviewInput {
  cron: string;
  timezone?: string;
  startAt?: Date;
  stopAt?: Date;
  maxRuns?: number;
}

/**
 * The next `n` fire times of a schedule without starting it (for `config check` and
 * `schedule list`). Respects startAt, stopAt and maxRuns as a fresh start would.
 *
 * @example
 * upcomingRuns({ cron: '55 9 * * 1-5', timezone: 'Europe/Berlin' }, 3);
 */
export function upcomingRuns(input: PreviewInput, n: number, from: Date = new Date()): Date[] {
  const probe = new Cron(input.cron, {
    timezone: input.timezone ?? localTimezone(),
    ...(input.startAt ? { startAt: input.startAt } : {}),
    ...(input.stopAt ? { stopAt: input.stopAt } : {}),
  });
  const count = input.maxRuns === undefined ? n : Math.min(n, input.maxRuns);
  return probe.nextRuns(count, from);
}
