import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentFrame, inFrame, type PluginFrame } from '../../src/bot/plugin-scope.js';

// performance.now() is faked, so "holding the loop for 60 ms" is exact and load-proof.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A hook's synchronous work taking `ms` on the (fake) clock. */
function spin(ms: number): void {
  vi.advanceTimersByTime(ms);
}

function frame(hook: string): PluginFrame {
  return { plugin: 'p', hook, owner: {} };
}

describe('blocked-hook timing (one clock read per hook)', () => {
  it('charges each hook of one synchronous run its own time, not its neighbours', () => {
    const reports: { hook: string; ms: number }[] = [];
    const onBlocked = (ms: number, f: PluginFrame) => reports.push({ hook: f.hook, ms });
    // Three hooks back to back, as one socket read dispatches them: only the middle one blocks.
    inFrame(frame('first'), () => spin(2), onBlocked, 40);
    inFrame(frame('slow'), () => spin(60), onBlocked, 40);
    inFrame(frame('after'), () => spin(2), onBlocked, 40);
    expect(reports.map((r) => r.hook)).toEqual(['slow']);
    expect(reports[0]!.ms).toBe(60);
  });

  it('does not charge a hook for the idle time before it, in a later turn', async () => {
    const reports: string[] = [];
    const onBlocked = (_ms: number, f: PluginFrame) => reports.push(f.hook);
    inFrame(frame('early'), () => {}, onBlocked, 40);
    // The event loop moves on (a microtask checkpoint, then 60 ms idle): the next hook
    // starts its own clock.
    await Promise.resolve();
    vi.advanceTimersByTime(60);
    inFrame(frame('later'), () => {}, onBlocked, 40);
    expect(reports).toEqual([]);
  });

  it('times a nested call by its own start, and runs both in their frames', () => {
    const reports: string[] = [];
    const seen: (string | undefined)[] = [];
    const onBlocked = (_ms: number, f: PluginFrame) => reports.push(f.hook);
    inFrame(frame('before'), () => {}, onBlocked, 40);
    inFrame(
      frame('outer'),
      () => {
        spin(50);
        inFrame(frame('inner'), () => seen.push(currentFrame()?.hook), onBlocked, 40);
        seen.push(currentFrame()?.hook);
      },
      onBlocked,
      40,
    );
    expect(seen).toEqual(['inner', 'outer']);
    expect(reports).toEqual(['outer']);
  });
});
