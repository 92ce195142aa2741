// What happens when a plugin's code fails: one log line, the plugin's own onError hooks
// (each within the event budget, so a stuck onError cannot hold the queue), then the
// engine's observer. Nothing here throws.
import { HookTimeoutError, PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import { within } from './plugin-scope.js';
import type { AnyContext, Awaitable, HookObserver } from './types.js';

export interface FailureDeps {
  plugin: string;
  log: Logger;
  onErrorHooks: readonly ((err: PluginError, ctx?: AnyContext) => Awaitable<unknown>)[];
  /** Runs plugin code as the plugin's (its frame, the blocked-loop warning). */
  call: <T>(hook: string, fn: () => T) => T;
  /** Milliseconds one onError hook may take. */
  budget: number;
  /** The engine's observer. */
  onError?: ((err: PluginError) => void) | undefined;
  /** Counts the failure for metrics (`run --http`). */
  observer?: HookObserver | undefined;
}

/** Logs the failure, hands it to the plugin's onError hooks and the engine; never throws. */
export async function reportFailure(
  deps: FailureDeps,
  error: unknown,
  hook: string,
  ctx?: AnyContext,
): Promise<PluginError> {
  const { plugin, log } = deps;
  const err =
    error instanceof PluginError && error.plugin === plugin
      ? error
      : new PluginError(plugin, hook, { cause: error });
  deps.observer?.hookFailed(plugin, err.hook);
  const timedOut = err.cause instanceof HookTimeoutError ? err.cause : undefined;
  if (timedOut) {
    log.error(`${err.hook} did not settle within ${timedOut.budget} ms; abandoned it`, {
      plugin,
      hook: err.hook,
      budget: `${timedOut.budget}ms`,
    });
  } else {
    log.error(`${err.hook} failed`, { plugin, hook: err.hook, error: err.cause });
  }
  for (const onError of deps.onErrorHooks) {
    let failed: { error: unknown } | undefined;
    try {
      const result = deps.call('onError', () => onError(err, ctx));
      const settled = Promise.resolve(result).catch((error: unknown) => {
        failed = { error };
      });
      if ((await within(settled, deps.budget)) === 'late') {
        log.error('onError did not settle in time; abandoned it', { plugin });
      }
    } catch (error) {
      failed = { error };
    }
    if (failed) log.error('onError failed', { plugin, hook: 'onError', error: failed.error });
  }
  try {
    deps.onError?.(err);
  } catch {
    // The engine's observer must not turn a plugin failure into a crash.
  }
  return err;
}
