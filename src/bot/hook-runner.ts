import { ConversationCancelledError, type PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Turn } from './contexts.js';
import { type FailureDeps, reportFailure } from './failure-report.js';
import { inFrame, type PluginFrame } from './plugin-scope.js';
import type { AnyContext, HookObserver } from './types.js';

/** Frames kept per plugin for reuse (labels of tasks are numbered, so the cache is capped). */
const MAX_CACHED_FRAMES = 64;

export interface HookRunnerDeps {
  plugin: string;
  log: Logger;
  /** The plugin's instance: what the safety net finds in the frame of a fault. */
  owner: object;
  /** The plugin's own onError hooks (the live array setup() fills in). */
  errorHooks: FailureDeps['onErrorHooks'];
  /** Sees every reported failure (after the plugin's own onError). */
  onError?: ((err: PluginError) => void) | undefined;
  observer?: HookObserver | undefined;
  /** Budget of the plugin's onError hooks, in ms. */
  budget: number;
  /** Milliseconds of synchronous work after which a hook is logged as blocking; 0 = off. */
  blockedWarn: number;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs a plugin's code as that plugin's: inside its frame (so a timer or promise it starts
 * is charged to it), timed for the metrics and the blocked-loop warning, and with its
 * failures reported through its own onError first.
 */
export class HookRunner {
  readonly #deps: HookRunnerDeps;
  readonly #frames = new Map<string, PluginFrame>();

  constructor(deps: HookRunnerDeps) {
    this.#deps = deps;
  }

  /**
   * Runs `fn`, the plugin's hook `label`; false when it threw or its turn was abandoned.
   * Stays synchronous for a hook that returns no promise: no await, so no microtask per
   * hook. The observer sees its duration, except when its turn was abandoned meanwhile
   * (the queue counted that one at its budget).
   */
  run(
    label: string,
    fn: () => unknown,
    ctx: AnyContext | undefined,
    turn: Turn | undefined,
  ): boolean | Promise<boolean> {
    const observer = this.#deps.observer;
    const began = observer === undefined ? 0 : performance.now();
    const outer = turn?.hook;
    if (turn && label !== 'middleware') turn.hook = label;
    const finish = () => {
      if (turn && !turn.abandoned) turn.hook = outer;
      if (observer && !turn?.abandoned) {
        observer.hookRan(this.#deps.plugin, label, (performance.now() - began) / 1000);
      }
    };
    let result: unknown;
    try {
      result = this.call(label, fn);
    } catch (error) {
      return this.#failed(error, label, ctx, turn, finish);
    }
    if (!isThenable(result)) {
      const ok = !turn?.abandoned;
      finish();
      return ok;
    }
    return Promise.resolve(result).then(
      () => {
        const ok = !turn?.abandoned;
        finish();
        return ok;
      },
      (error: unknown) => this.#failed(error, label, ctx, turn, finish),
    );
  }

  /** Calls plugin code inside its frame; logs when its synchronous part held the loop. */
  call<T>(hook: string, fn: () => T): T {
    let frame = this.#frames.get(hook);
    if (frame === undefined) {
      frame = { plugin: this.#deps.plugin, hook, owner: this.#deps.owner };
      if (this.#frames.size < MAX_CACHED_FRAMES) this.#frames.set(hook, frame);
    }
    return inFrame(frame, fn, this.#onBlocked, this.#deps.blockedWarn);
  }

  /** Reports a failure of hook `hook` (the plugin's onError, then the engine's). */
  report(error: unknown, hook: string, ctx?: AnyContext): Promise<PluginError> {
    const d = this.#deps;
    return reportFailure(
      {
        plugin: d.plugin,
        log: d.log,
        onErrorHooks: d.errorHooks,
        call: <T>(h: string, fn: () => T) => this.call(h, fn),
        budget: d.budget,
        onError: d.onError,
        observer: d.observer,
      },
      error,
      hook,
      ctx,
    );
  }

  /** A hook threw or rejected: reported (unless its turn was abandoned); always false. */
  #failed(
    error: unknown,
    label: string,
    ctx: AnyContext | undefined,
    turn: Turn | undefined,
    finish: () => void,
  ): false | Promise<false> {
    const log = this.#deps.log;
    if (error instanceof ConversationCancelledError) {
      log.debug('a conversation was cancelled', { hook: label, reason: error.reason });
      finish();
      return false;
    }
    if (turn?.abandoned) {
      log.debug('an abandoned hook failed later', { hook: label, error });
      finish();
      return false;
    }
    return this.report(error, label, ctx).then(
      () => {
        finish();
        return false as const;
      },
      (failure: unknown) => {
        finish();
        throw failure;
      },
    );
  }

  readonly #onBlocked = (ms: number, frame: PluginFrame): void => {
    const hook = frame.hook;
    this.#deps.log.warn(`${hook} held the event loop for ${Math.round(ms)} ms; every bot waited`, {
      plugin: this.#deps.plugin,
      hook,
      ms: Math.round(ms),
      hint: 'move CPU-heavy work to a worker thread, or split it with await',
    });
  };
}
