import { currentFrame, type PluginFrame } from '../bot/plugin-scope.js';
import type { Logger } from '../log.js';

/** What `run` does with an exception that escaped a plugin (a timer, a detached promise). */
export type CrashPolicy = 'unload' | 'exit';

export interface SafetyNetOptions {
  /** `unload` (default): drop that plugin, the others carry on. `exit`: stop and exit 1. */
  policy: CrashPolicy;
  logger: Logger;
  /** Unloads the plugin version the frame belongs to; false when it is already gone. */
  unload(frame: PluginFrame): Promise<boolean>;
  /** The graceful exit path: onStop hooks, outbox flush, then exit with `code`. */
  exit(code: number): void;
}

/**
 * Catches what would otherwise crash the process: `uncaughtException` and
 * `unhandledRejection`. The error is attributed to the plugin whose code was running when
 * the failing callback was scheduled (its AsyncLocalStorage frame, set around every hook,
 * timer and task), then handled by `policy`. An error from outside any plugin leaves the
 * process in an unknown state: it is logged and the process stops gracefully with exit 1,
 * for a supervisor to restart. Returns the function that removes the handlers.
 */
export function installSafetyNet(options: SafetyNetOptions): () => void {
  const { logger } = options;
  const unloading = new WeakSet<object>();
  let exiting = false;

  const stop = () => {
    if (exiting) return;
    exiting = true;
    options.exit(1);
  };

  const handle = (kind: string, reason: unknown) => {
    const error = reason instanceof Error ? reason : new Error(`${kind}: ${String(reason)}`);
    const frame = currentFrame();
    if (!frame) {
      logger.error(`${kind} outside any bot; stopping, as the process state is unknown`, {
        error,
      });
      stop();
      return;
    }
    const fields = { plugin: frame.plugin, hook: frame.hook, error };
    if (options.policy === 'exit') {
      logger.error(`${kind} in bot ${frame.plugin}; stopping (--on-plugin-crash exit)`, fields);
      stop();
      return;
    }
    if (unloading.has(frame.owner)) {
      logger.error(`${kind} in bot ${frame.plugin}, which is being unloaded`, fields);
      return;
    }
    unloading.add(frame.owner);
    logger.error(
      `${kind} in bot ${frame.plugin} (from code started in ${frame.hook}); unloading it, the other bots carry on`,
      fields,
    );
    options.unload(frame).then(
      (gone) => {
        if (gone) logger.warn('unloaded bot', { plugin: frame.plugin });
        else logger.info('that version of the bot was no longer loaded', { plugin: frame.plugin });
      },
      (failure: unknown) =>
        logger.error('unloading the bot failed', { plugin: frame.plugin, error: failure }),
    );
  };

  const onException = (error: unknown) => handle('uncaught exception', error);
  const onRejection = (reason: unknown) => handle('unhandled rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
