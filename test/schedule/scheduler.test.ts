import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createScheduler, type ScheduleContext, schedule } from '../../src/schedule/scheduler.js';

const MIN = 60_000;

describe('schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-06-01T10:00:30Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes name, run number and the due time to the job', async () => {
    const seen: ScheduleContext[] = [];
    const job = schedule('*/2 * * * *', { name: 'tick', timezone: 'UTC' }, (ctx) => {
      seen.push(ctx);
    });
    expect(job.name).toBe('tick');
    expect(job.nextRuns(2)).toEqual([
      new Date('2026-06-01T10:02:00Z'),
      new Date('2026-06-01T10:04:00Z'),
    ]);
    await vi.advanceTimersByTimeAsync(4 * MIN);
    job.stop();
    expect(seen).toEqual([
      { name: 'tick', run: 1, scheduledAt: new Date('2026-06-01T10:02:00Z') },
      { name: 'tick', run: 2, scheduledAt: new Date('2026-06-01T10:04:00Z') },
    ]);
    expect(job.runs).toBe(2);
  });

  it('warns once when a valid expression never fires (there is no 31 February)', () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const job = schedule('0 0 31 2 *', { name: 'never', timezone: 'UTC', logger }, () => {});
    expect(job.nextRuns(3)).toEqual([]);
    job.stop();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      msg: "schedule 'never': '0 0 31 2 *' matches no date that exists, so it never fires (check the day and month: e.g. 31 in a 30-day month, or 30 February)",
    });
    // 29 February exists in leap years: no warning.
    schedule('0 0 29 2 *', { name: 'leap', logger }, () => {}).stop();
    expect(lines).toHaveLength(1);
  });

  it('accepts a seconds field', async () => {
    let runs = 0;
    const job = schedule('*/10 * * * * *', {}, () => {
      runs += 1;
    });
    await vi.advanceTimersByTimeAsync(60_000);
    job.stop();
    expect(runs).toBe(6);
  });

  it('skips a fire while the previous run is still going, and logs it', async () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', write: (l) => lines.push(l) });
    let release!: () => void;
    let started = 0;
    const job = schedule('* * * * *', { name: 'slow', logger }, async () => {
      started += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await vi.advanceTimersByTimeAsync(30_000 + 3 * MIN + 1000);
    expect(started).toBe(1);
    expect(lines.map((l) => JSON.parse(l).due)).toEqual([
      '2026-06-01T10:02:00.000Z',
      '2026-06-01T10:03:00.000Z',
      '2026-06-01T10:04:00.000Z',
    ]);
    release();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(started).toBe(2);
    job.stop();
    release();
  });

  it('logs a failing job and keeps its schedule', async () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', write: (l) => lines.push(l) });
    let runs = 0;
    const job = schedule('* * * * *', { name: 'flaky', logger }, async () => {
      runs += 1;
      throw new Error('nope');
    });
    await vi.advanceTimersByTimeAsync(30_000 + MIN);
    job.stop();
    expect(runs).toBe(2);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      msg: 'scheduled job failed',
      job: 'flaky',
      run: 1,
      error: 'nope',
    });
  });

  it('throws a ConfigError for a bad expression or time zone', () => {
    expect(() => schedule('every day', {}, () => {})).toThrow(ConfigError);
    expect(() => schedule('* * * * *', { timezone: 'Nowhere/Land', name: 'z' }, () => {})).toThrow(
      "schedule 'z': 'Nowhere/Land' is not a known time zone",
    );
    expect(() => schedule('2026-07-01T00:00:00', {}, () => {})).toThrow(/not a repeating schedule/);
  });

  it('createScheduler stops all of its jobs at once', async () => {
    const scheduler = createScheduler();
    let runs = 0;
    scheduler.schedule('* * * * *', {}, () => {
      runs += 1;
    });
    scheduler.schedule('*/30 * * * * *', {}, () => {
      runs += 1;
    });
    expect(scheduler.jobs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runs).toBe(2);
    scheduler.stopAll();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(runs).toBe(2);
    expect(scheduler.jobs).toHaveLength(0);
  });
});
