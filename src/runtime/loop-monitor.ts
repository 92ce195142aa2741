import type { BusyPlugin } from '../bot/engine.js';
import { lastBlockedAt } from '../bot/plugin-scope.js';
import type { Logger } from '../log.js';

/** How often the monitor's timer ticks; a tick that comes late measures the delay. */
const TICK_MS = 250;

/**
 * Logs when the event loop was held past `threshold` ms: every bot's events, timers and
 * sockets waited that long. A hook's synchronous part is timed (and named) by the engine
 * itself; this catches the rest, e.g. a busy loop after an `await`, and names the plugins
 * that were in the middle of a hook then. Returns the function that stops it.
 */
export function monitorEventLoop(
  threshold: number,
  busy: () => BusyPlugin[],
  logger: Logger,
): () => void {
  if (!(threshold > 0)) return () => {};
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const delay = now - last - TICK_MS;
    const previous = last;
    last = now;
    // Already logged, with the hook that did it, by the engine.
    if (delay < threshold || lastBlockedAt() > previous) return;
    const suspects = busy().map((b) => `${b.plugin} (${b.hook})`);
    logger.warn(`the event loop was blocked for ${Math.round(delay)} ms; every bot waited`, {
      ms: Math.round(delay),
      busy: suspects.length > 0 ? suspects.join(', ') : 'no bot was in a hook',
    });
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
