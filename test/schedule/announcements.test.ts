import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AnnouncementDelivery, startAnnouncements } from '../../src/schedule/announcements.js';

const MIN = 60_000;

function collect() {
  const got: AnnouncementDelivery[] = [];
  return { got, deliver: (d: AnnouncementDelivery) => got.push(d) };
}

describe('startAnnouncements', () => {
  let stops: Array<() => void> = [];
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    for (const stop of stops) stop();
    stops = [];
    vi.useRealTimers();
  });
  const start = (...args: Parameters<typeof startAnnouncements>) => {
    const running = startAnnouncements(...args);
    stops.push(running.stop);
    return running;
  };

  it('fires at the wall-clock minute in a non-UTC zone, once per room per fire', async () => {
    // 09:50 in Berlin (CET, UTC+1) on a Monday.
    vi.setSystemTime(new Date('2026-01-12T08:50:00Z'));
    const sink = collect();
    start(
      [
        {
          name: 'standup',
          cron: '55 9 * * 1-5',
          timezone: 'Europe/Berlin',
          rooms: ['team', 'ops'],
          text: 'Standup in 5 minutes ({date} {time}, #{run}, {name} in {room})',
        },
      ],
      sink,
    );
    await vi.advanceTimersByTimeAsync(4 * MIN + 59_000);
    expect(sink.got).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.got).toEqual([
      {
        room: 'team',
        text: 'Standup in 5 minutes (2026-01-12 09:55, #1, standup in team)',
        firedAt: new Date('2026-01-12T08:55:00Z'),
        maxDelay: 10 * MIN,
        name: 'standup',
      },
      {
        room: 'ops',
        text: 'Standup in 5 minutes (2026-01-12 09:55, #1, standup in ops)',
        firedAt: new Date('2026-01-12T08:55:00Z'),
        maxDelay: 10 * MIN,
        name: 'standup',
      },
    ]);
    // Next day: run 2.
    await vi.advanceTimersByTimeAsync(24 * 60 * MIN);
    expect(sink.got.map((d) => d.text)).toEqual([
      'Standup in 5 minutes (2026-01-12 09:55, #1, standup in team)',
      'Standup in 5 minutes (2026-01-12 09:55, #1, standup in ops)',
      'Standup in 5 minutes (2026-01-13 09:55, #2, standup in team)',
      'Standup in 5 minutes (2026-01-13 09:55, #2, standup in ops)',
    ]);
  });

  it('keeps the wall-clock time across the spring DST change in Europe/Berlin', async () => {
    // Saturday 2026-03-28 12:00 CET; clocks go 02:00 -> 03:00 on Sunday 2026-03-29.
    vi.setSystemTime(new Date('2026-03-28T11:00:00Z'));
    const sink = collect();
    const running = start(
      [
        {
          name: 'morning',
          cron: '0 9 * * *',
          timezone: 'Europe/Berlin',
          rooms: ['team'],
          text: '{date} {time}',
        },
      ],
      sink,
    );
    expect(running.jobs[0]!.nextRuns(3)).toEqual([
      new Date('2026-03-29T07:00:00Z'), // 09:00 CEST (UTC+2)
      new Date('2026-03-30T07:00:00Z'),
      new Date('2026-03-31T07:00:00Z'),
    ]);
    // 20 h later is Sunday 07:00Z = 09:00 CEST; nothing fires before it.
    await vi.advanceTimersByTimeAsync(20 * 60 * MIN - 1000);
    expect(sink.got).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.got.map((d) => [d.text, d.firedAt.toISOString()])).toEqual([
      ['2026-03-29 09:00', '2026-03-29T07:00:00.000Z'],
    ]);
  });

  it('runs a job in the DST gap once, just after the gap', async () => {
    vi.setSystemTime(new Date('2026-03-28T23:00:00Z')); // 00:00 CET on the 29th
    const sink = collect();
    start(
      [
        {
          name: 'gap',
          cron: '30 2 * * *',
          timezone: 'Europe/Berlin',
          rooms: ['r'],
          text: '{time}',
        },
      ],
      sink,
    );
    await vi.advanceTimersByTimeAsync(4 * 60 * MIN);
    // 02:30 does not exist that night; croner runs fixed-time jobs at the first valid time.
    expect(sink.got.map((d) => d.text)).toEqual(['03:00']);
    expect(sink.got[0]!.firedAt).toEqual(new Date('2026-03-29T01:00:00Z'));
  });

  it('stops after maxRuns', async () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const sink = collect();
    const running = start(
      [{ name: 'x', cron: '* * * * *', timezone: 'UTC', rooms: ['r'], text: '{run}', maxRuns: 2 }],
      sink,
    );
    expect(running.jobs[0]!.nextRuns(5)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(sink.got.map((d) => d.text)).toEqual(['1', '2']);
    expect(running.jobs[0]!.nextRuns(5)).toEqual([]);
  });

  it('fires only between startAt (inclusive) and stopAt (exclusive)', async () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const sink = collect();
    start(
      [
        {
          name: 'window',
          cron: '* * * * *',
          timezone: 'UTC',
          rooms: ['r'],
          text: '{time}',
          startAt: new Date('2026-01-01T00:03:00Z'),
          stopAt: new Date('2026-01-01T00:06:00Z'),
        },
      ],
      sink,
    );
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(sink.got.map((d) => d.text)).toEqual(['00:03', '00:04', '00:05']);
  });

  it('skips enabled: false and hands commands on instead of text', async () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:30Z'));
    const sink = collect();
    const running = start(
      [
        { name: 'off', cron: '* * * * *', rooms: ['r'], text: 'no', enabled: false },
        {
          name: 'dice',
          cron: '* * * * *',
          rooms: ['r'],
          command: '!roll 1d6 #{run}',
          maxDelay: 5000,
        },
      ],
      sink,
    );
    expect(running.jobs.map((j) => j.name)).toEqual(['dice']);
    await vi.advanceTimersByTimeAsync(MIN);
    expect(sink.got).toEqual([
      {
        room: 'r',
        command: '!roll 1d6 #1',
        firedAt: new Date('2026-01-01T00:01:00Z'),
        maxDelay: 5000,
        name: 'dice',
      },
    ]);
  });

  it('stop() cancels future fires', async () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:30Z'));
    const sink = collect();
    const running = start([{ name: 'x', cron: '* * * * *', rooms: ['r'], text: 't' }], sink);
    await vi.advanceTimersByTimeAsync(MIN);
    running.stop();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(sink.got).toHaveLength(1);
    expect(running.jobs[0]!.nextRuns(1)).toEqual([]);
  });

  it('logs a throwing sink and still serves the other rooms and later fires', async () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:30Z'));
    const lines: string[] = [];
    const { createLogger } = await import('../../src/log.js');
    const logger = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const got: string[] = [];
    start([{ name: 'x', cron: '* * * * *', rooms: ['bad', 'good'], text: 't' }], {
      logger,
      deliver: (d) => {
        if (d.room === 'bad') throw new Error('boom');
        got.push(d.room);
      },
    });
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(got).toEqual(['good', 'good']);
    expect(lines.filter((l) => l.includes('boom'))).toHaveLength(2);
  });

  it('rejects a bad cron expression, starting none of the list', () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:30Z'));
    const sink = collect();
    expect(() =>
      startAnnouncements(
        [
          { name: 'ok', cron: '* * * * *', rooms: ['r'], text: 't' },
          { name: 'bad', cron: '61 * * * *', rooms: ['r'], text: 't' },
        ],
        sink,
      ),
    ).toThrow(/schedule 'bad': '61 \* \* \* \*' is not a valid cron expression/);
    return vi.advanceTimersByTimeAsync(2 * MIN).then(() => expect(sink.got).toEqual([]));
  });
});
