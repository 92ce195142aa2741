// LogLimiter on fake timers (Date.now included): a few lines per kind per window, every
// other event counted, and the count always reaches the log.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { LogLimiter } from '../../src/server/log-limiter.js';

let lines: string[];
const logger = () => createLogger({ level: 'info', write: (l) => lines.push(l) });

beforeEach(() => {
  lines = [];
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LogLimiter', () => {
  it('logs the first event of each kind, then one a second with the unlogged count', () => {
    const log = new LogLimiter(logger());
    for (let i = 0; i < 500; i++) log.warn('too many', { remote: '10.0.0.1' });
    log.warn('other cap', { remote: '10.0.0.2' });
    expect(lines).toHaveLength(2);
    vi.setSystemTime(999);
    log.warn('too many', { remote: '10.0.0.1' });
    expect(lines).toHaveLength(2);
    vi.setSystemTime(1000);
    log.warn('too many', { remote: '10.0.0.3' });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('remote=10.0.0.3');
    expect(lines[2]).toContain('unlogged=500');
    vi.setSystemTime(5000);
    log.warn('too many', { remote: '10.0.0.4' });
    expect(lines[3]).not.toContain('unlogged');
  });

  it('writes a summary with the count when a burst ends, so no event goes uncounted', () => {
    const log = new LogLimiter(logger());
    for (let i = 0; i < 250; i++) log.warn('TLS handshake failed, closing', { remote: 'x' });
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/WARN .*TLS handshake failed, closing unlogged=249 summary=true$/);
    // Nothing more to say: no further line, however long it stays quiet.
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
  });

  it('under a steady flood writes linesPerWindow lines, then one summary per window', () => {
    const log = new LogLimiter(logger(), { linesPerWindow: 3 });
    let events = 0;
    // 10 s at 1,000 events a second.
    for (let ms = 0; ms < 10_000; ms++) {
      log.info('malformed Data dropped', { conn: ms });
      events += 1;
      vi.advanceTimersByTime(1);
    }
    log.flush();
    expect(lines.length).toBeLessThanOrEqual(3 + 10 + 1);
    const counted = lines.reduce((n, l) => n + Number(/unlogged=(\d+)/.exec(l)?.[1] ?? 1), 0);
    expect(counted).toBe(events);
  });

  it('flush() writes what is pending at once, and the summary keeps the level', () => {
    const log = new LogLimiter(logger());
    log.info('room full: JoinRoom refused', {});
    log.info('room full: JoinRoom refused', {});
    log.flush();
    expect(lines[1]).toMatch(/INFO .*room full: JoinRoom refused unlogged=1 summary=true$/);
    log.flush();
    expect(lines).toHaveLength(2);
  });
});
