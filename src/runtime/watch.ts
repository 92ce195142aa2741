import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../log.js';

/** Quiet time after the last change before reloading: editors write a file in several steps. */
const SETTLE_MS = 100;

export interface WatchOptions {
  /**
   * The project files a watched file imports (asked again after each reload): a change to
   * one of them reloads the file that imports it.
   */
  dependencies?: (file: string) => readonly string[];
}

/**
 * Calls `reload(file, changed)` when a watched file (or a file it imports) changes, once per burst
 * of changes, one reload at a time per file. Watches the directories, not the files:
 * editors that save by replacing the file would otherwise leave the watch on the old,
 * deleted one. Returns a function that stops watching.
 */
export function watchFiles(
  files: readonly string[],
  reload: (file: string, changed: readonly string[]) => Promise<void>,
  logger: Logger,
  options: WatchOptions = {},
): () => void {
  /** dir -> base name -> the watched files to reload when it changes. */
  const byDir = new Map<string, Map<string, Set<string>>>();
  const watchers = new Map<string, FSWatcher>();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  /** Watched file -> the paths that changed in its current burst (for the log line). */
  const pending = new Map<string, Set<string>>();
  let closed = false;

  const fire = (file: string) => {
    const changedNow = [...(pending.get(file) ?? [])];
    pending.delete(file);
    const previous = running.get(file) ?? Promise.resolve();
    const next = previous
      .then(() => reload(file, changedNow))
      .catch((error: unknown) => {
        logger.error('reload failed', { file, error });
      })
      .finally(() => follow(file));
    running.set(file, next);
  };

  const changed = (dir: string, name: string | null) => {
    const owners = name === null ? undefined : byDir.get(dir)?.get(name.toString());
    for (const file of owners ?? []) {
      const burst = pending.get(file) ?? new Set<string>();
      burst.add(resolve(dir, name!.toString()));
      pending.set(file, burst);
      clearTimeout(timers.get(file));
      timers.set(
        file,
        setTimeout(() => fire(file), SETTLE_MS),
      );
    }
  };

  const add = (path: string, owner: string) => {
    const abs = resolve(path);
    const dir = dirname(abs);
    const names = byDir.get(dir) ?? new Map<string, Set<string>>();
    byDir.set(dir, names);
    const owners = names.get(basename(abs)) ?? new Set<string>();
    owners.add(owner);
    names.set(basename(abs), owners);
    if (watchers.has(dir) || closed) return;
    try {
      const watcher = watch(dir, (_event, name) => changed(dir, name));
      watcher.on('error', (error) => logger.warn('cannot watch for changes', { dir, error }));
      watchers.set(dir, watcher);
    } catch (error) {
      logger.warn('cannot watch for changes; bots there will not reload', { dir, error });
    }
  };

  /** Watches what `file` imports now (its imports may change with each version). */
  const follow = (file: string) => {
    for (const dep of options.dependencies?.(file) ?? []) add(dep, file);
  };

  for (const file of files) {
    add(file, file);
    follow(file);
  }
  return () => {
    closed = true;
    for (const w of watchers.values()) w.close();
    for (const t of timers.values()) clearTimeout(t);
  };
}
