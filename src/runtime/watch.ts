import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../log.js';

/** Quiet time after the last change before reloading: editors write a file in several steps. */
const SETTLE_MS = 100;

/**
 * Calls `reload(file)` when a watched file changes, once per burst of changes, one reload
 * at a time per file. Watches the directories, not the files: editors that save by
 * replacing the file would otherwise leave the watch on the old, deleted one.
 * Returns a function that stops watching.
 */
export function watchFiles(
  files: readonly string[],
  reload: (file: string) => Promise<void>,
  logger: Logger,
): () => void {
  const byDir = new Map<string, Map<string, string>>();
  for (const file of files) {
    const abs = resolve(file);
    const names = byDir.get(dirname(abs)) ?? new Map<string, string>();
    names.set(basename(abs), file);
    byDir.set(dirname(abs), names);
  }
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  const fire = (file: string) => {
    const previous = running.get(file) ?? Promise.resolve();
    const next = previous
      .then(() => reload(file))
      .catch((error: unknown) => {
        logger.error('reload failed', { file, error });
      });
    running.set(file, next);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const watcher = watch(dir, (_event, name) => {
        const file = name === null ? undefined : names.get(name.toString());
        if (file === undefined) return;
        clearTimeout(timers.get(file));
        timers.set(
          file,
          setTimeout(() => fire(file), SETTLE_MS),
        );
      });
      watcher.on('error', (error) => logger.warn('cannot watch for changes', { dir, error }));
      watchers.push(watcher);
    } catch (error) {
      logger.warn('cannot watch for changes; bots there will not reload', { dir, error });
    }
  }
  return () => {
    for (const w of watchers) w.close();
    for (const t of timers.values()) clearTimeout(t);
  };
}
