import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { CRON_EXPECTED, cronProblem, neverFiresWarning, timezoneProblem } from './cron.js';

export interface ScheduleOptions {
  /** IANA time zone the expression is read in; default the machine's. */
  timezone?: string;
  /** First moment a fire may happen (inclusive). Strings are read in `timezone`. */
  startAt?: Date | string;
  /** No fire at or after this moment. Strings are read in `timezone`. */
  stopAt?: Date | string;
  /** Stop after this many fires. */
  maxRuns?: number;
  /** For logs and the context; default `job-N`. */
  name?: string;
  /** Where a throwing job and skipped (overlapping) fires are logged. */
  logger?: Logger;
}

export interface ScheduleContext {
  name: string;
  /** 1 for the first fire of this job. */
  run: number;
  /** When the fire was due (the timer may run a little later). */
  scheduledAt: Date;
}

export interface ScheduledJob {
  /** Cancels every future fire. A run already under way finishes. */
  stop(): void;
  /** The next `n` fire times (fewer when maxRuns or stopAt end the job first). */
  nextRuns(n: number): Date[];
  readonly name: string;
  /** Fires so far. */
  readonly runs: number;
}

let counter = 0;

/**
 * Runs `fn` on a cron schedule. A fire that comes while the previous one is still running
 * is skipped (and logged), so slow jobs never pile up. Errors thrown by `fn` are logged,
 * and the job keeps its schedule. Throws ConfigError for a bad expression or time zone.
 *
 * @example
 * const job = schedule('0 9 * * 1-5', { timezone: 'Europe/Berlin', name: 'morning' }, ({ run }) => {
 *   console.log(`good morning #${run}`);
 * });
 * job.nextRuns(3);
 * job.stop();
 */
export function schedule(
  expr: string,
  options: ScheduleOptions,
  fn: (ctx: ScheduleContext) => void | Promise<void>,
): ScheduledJob {
  counter += 1;
  const name = options.name ?? `job-${counter}`;
  const logger = options.logger ?? silentLogger;
  const problems = [
    cronProblem(expr),
    options.timezone === undefined ? undefined : timezoneProblem(options.timezone),
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map(
        (p) => `schedule '${name}': ${p} (expected ${CRON_EXPECTED} and an IANA time zone)`,
      ),
    );
  }

  const never = neverFiresWarning(expr, options.timezone);
  if (never !== undefined) logger.warn(`schedule '${name}': ${never}`, { job: name });

  let runs = 0;
  let lastSkipped = 0;
  const dueAt = (self: Cron, now: Date) =>
    self.previousRuns(1, new Date(now.getTime() + 1))[0] ?? now;
  const cron: Cron = new Cron(
    expr,
    {
      timezone: options.timezone,
      startAt: options.startAt,
      stopAt: options.stopAt,
      maxRuns: options.maxRuns,
      protect: (self) => {
        // croner re-checks a blocked job more than once per due time; log each skip once.
        const due = dueAt(self, new Date());
        if (due.getTime() === lastSkipped) return;
        lastSkipped = due.getTime();
        logger.warn('skipped a fire: the previous run is still going', { job: name, due });
      },
    },
    async (self) => {
      runs += 1;
      const now = self.currentRun() ?? new Date();
      // The timer can be late (a busy loop, a suspended laptop): report the time that was due.
      const scheduledAt = dueAt(self, now);
      try {
        await fn({ name, run: runs, scheduledAt });
      } catch (error) {
        logger.error('scheduled job failed', { job: name, run: runs, error });
      }
    },
  );

  return {
    name,
    get runs() {
      return runs;
    },
    stop: () => cron.stop(),
    nextRuns: (n) => {
      if (cron.isStopped()) return [];
      // croner does not count remaining runs while enumerating; cap by them here.
      const left = cron.runsLeft();
      return cron.nextRuns(left === undefined ? n : Math.min(n, left));
    },
  };
}

/** A set of jobs stopped together, e.g. everything one plugin scheduled. */
export interface Scheduler {
  schedule: typeof schedule;
  stopAll(): void;
  readonly jobs: readonly ScheduledJob[];
}

/**
 * @example
 * const scheduler = createScheduler(logger.child('dice'));
 * scheduler.schedule('0 * * * *', {}, () => announce());
 * scheduler.stopAll(); // on unload
 */
export function createScheduler(logger?: Logger): Scheduler {
  const jobs: ScheduledJob[] = [];
  return {
    jobs,
    schedule(expr, options, fn) {
      const job = schedule(expr, { logger, ...options }, fn);
      jobs.push(job);
      return job;
    },
    stopAll() {
      for (const job of jobs.splice(0)) job.stop();
    },
  };
}
