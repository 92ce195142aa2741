import type { HookObserver } from '../bot/types.js';
import { BucketCounts } from '../server/stats.js';

/** Upper bounds, in seconds, of the hook duration buckets (+Inf is implied). */
export const HOOK_BUCKETS: readonly number[] = [
  0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30,
];

/** One plugin's hooks: runs per hook label, failures per hook label, one duration histogram. */
export interface PluginCounts {
  readonly runs: Map<string, number>;
  readonly errors: Map<string, number>;
  readonly seconds: BucketCounts;
}

/**
 * What a bot runtime counts for the metrics endpoint (`run --http`): every hook run and
 * failure per plugin (it is the engine's {@link HookObserver}) and the announcements.
 * Plain fields and maps updated in place; a metrics library reads them at scrape time.
 *
 * @example
 * const stats = new RuntimeStats();
 * const runtime = createRuntime({ ...options, stats });
 * stats.plugins.get('echo')?.runs.get('command !echo'); // times it ran
 */
export class RuntimeStats implements HookObserver {
  readonly plugins = new Map<string, PluginCounts>();
  /** Announcement deliveries (one per room and fire). */
  readonly announcements = {
    /** Handed to the outbox, or run as a command. */
    fired: 0,
    /** Not queued: the outbox was full or the bot is not in the room. */
    skipped: 0,
    /** The fire reached the runtime more than `lateAfter` ms after its time. */
    late: 0,
  };
  /** Milliseconds after its time that a fire counts as late. */
  readonly lateAfter = 1000;

  hookRan(plugin: string, hook: string, seconds: number): void {
    const counts = this.#plugin(plugin);
    counts.runs.set(hook, (counts.runs.get(hook) ?? 0) + 1);
    counts.seconds.observe(seconds);
  }

  hookFailed(plugin: string, hook: string): void {
    const counts = this.#plugin(plugin);
    counts.errors.set(hook, (counts.errors.get(hook) ?? 0) + 1);
  }

  #plugin(name: string): PluginCounts {
    let counts = this.plugins.get(name);
    if (counts === undefined) {
      counts = { runs: new Map(), errors: new Map(), seconds: new BucketCounts(HOOK_BUCKETS) };
      this.plugins.set(name, counts);
    }
    return counts;
  }
}
