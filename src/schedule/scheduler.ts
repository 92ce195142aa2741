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

  // croner computes the fire times (time zones, DST); the timer is ours. croner's own wakes
  // every 30 s to notice clock changes, which under fake timers costs ~0.6 s of real time
  // per simulated day; one timer per fire, re-checked at least every MAX_WAIT, is as safe.
  const cron = new Cron(expr, {
    timezone: options.timezone,
    startAt: options.startAt,
    stopAt: options.stopAt,
  });
  const maxRuns = options.maxRuns ?? Number.POSITIVE_INFINITY;
  let runs = 0;
  let running = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastDue: Date | undefined;

  const wait = (due: Date) => {
    const ms = Math.min(Math.max(due.getTime() - Date.now(), 0), MAX_WAIT);
    timer = setTimeout(() => check(due), ms);
  };
  const arm = () => {
    if (stopped || runs >= maxRuns) return;
    // After a fire, the next one after it; never the same due time twice.
    const from = lastDue && lastDue.getTime() > Date.now() ? lastDue : undefined;
    const next = cron.nextRun(from);
    if (next) wait(next);
  };
  const check = (due: Date) => {
    timer = undefined;
    if (stopped) return;
    // Woke before the due time: the wait was capped, or the clock was set back.
    if (Date.now() < due.getTime()) return wait(due);
    lastDue = due;
    if (running) {
      logger.warn('skipped a fire: the previous run is still going', { job: name, due });
      return arm();
    }
    runs += 1;
    running = true;
    const run = runs;
    void (async () => {
      try {
        await fn({ name, run, scheduledAt: due });
      } catch (error) {
        logger.error('scheduled job failed', { job: name, run, error });
      } finally {
        running = false;
      }
    })();
    arm();
  };
  arm();

  return {
    name,
    get runs() {
      return runs;
    },
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    nextRuns: (n) => {
      if (stopped) return [];
      const left = maxRuns - runs;
      const from = lastDue && lastDue.getTime() > Date.now() ? lastDue : undefined;
      return cron.nextRuns(Math.max(0, Math.min(n, left)), from);
    },
  };
}

/** Longest single timer wait: a wall clock set forward is noticed within this. */
const MAX_WAIT = 5 * 60_000;

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
