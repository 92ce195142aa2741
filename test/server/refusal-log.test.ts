// RefusalLog on a hand-driven clock: one line per kind per interval, counting the rest.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { RefusalLog } from '../../src/server/refusal-log.js';

describe('RefusalLog', () => {
  it('logs the first refusal of each kind, then one a second with the unlogged count', () => {
    const lines: string[] = [];
    const clock = { now: 0 };
    const log = new RefusalLog(
      createLogger({ level: 'info', write: (l) => lines.push(l) }),
      1000,
      () => clock.now,
    );
    for (let i = 0; i < 500; i++) log.refused('too many', { remote: '10.0.0.1' });
    log.refused('other cap', { remote: '10.0.0.2' });
    expect(lines).toHaveLength(2);
    clock.now = 999;
    log.refused('too many', { remote: '10.0.0.1' });
    expect(lines).toHaveLength(2);
    clock.now = 1000;
    log.refused('too many', { remote: '10.0.0.3' });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('remote=10.0.0.3');
    expect(lines[2]).toContain('unlogged=500');
    clock.now = 5000;
    log.refused('too many', { remote: '10.0.0.4' });
    expect(lines[3]).not.toContain('unlogged');
  });
});
