import { AsyncLocalStorage } from 'node:async_hooks';
import type { Awaitable, BotTimer, TaskOptions } from './types.js';

/**
 * Which plugin code is running: set around every hook, timer and task a plugin gets, and
 * inherited by everything that code starts (promises, plain `setTimeout`s, emitters). The
 * process-level safety net reads it to name the plugin a stray exception came from.
 */
export interface PluginFrame {
  readonly plugin: string;
  readonly hook: string;
  /** The loaded version of the plugin (a reload makes a new one); opaque. */
  readonly owner: object;
}

const frames = new AsyncLocalStorage<PluginFrame>();
let lastBlocked = Number.NEGATIVE_INFINITY;

/** performance.now() of the last time a hook was logged for holding the event loop. */
export function lastBlockedAt(): number {
  return lastBlocked;
}

/**
 * The frame a bot file's top level runs in while it is imported: what its module code
 * starts outside setup() (a timer, a promise) is attributed to the file, then to the plugin
 * the file turned out to export (see {@link adoptModule}).
 */
class ModuleFrame implements PluginFrame {
  plugin: string;
  readonly hook: string;
  /** The plugin object the module exported, once known. */
  exported: object | undefined;
  constructor(file: string) {
    this.plugin = file;
    this.hook = 'the top level of its file';
  }
  get owner(): object {
    return this;
  }
}

/** Imports a bot file with `load` inside a frame of its own (see ModuleFrame). */
export function inModuleFrame<T>(
  file: string,
  load: () => Promise<T>,
): Promise<T> & {
  frame: ModuleFrame;
} {
  const frame = new ModuleFrame(file);
  return Object.assign(frames.run(frame, load), { frame });
}

/** The module `frame` came from exported `plugin` (named `name`). */
export function adoptModule(frame: PluginFrame, plugin: object, name: string): void {
  if (!(frame instanceof ModuleFrame)) return;
  frame.plugin = name;
  frame.exported = plugin;
}

/** The plugin object a module frame's file exported, when `owner` is one. */
export function exportedBy(owner: object): object | undefined {
  return owner instanceof ModuleFrame ? owner.exported : undefined;
}

/** The plugin frame of the code running now, if any. */
export function currentFrame(): PluginFrame | undefined {
  return frames.getStore();
}

/**
 * performance.now() at the end of the last hook of the synchronous run going on now, or -1.
 * The hooks of one socket read run back to back: the next one's start is taken as this
 * end (what runs between them is the engine's own few microseconds), so a hook costs one
 * clock read, not two (100+ ns each on some hosts). Reset at the next microtask checkpoint.
 */
let runEnd = -1;
const endRun = (): void => {
  runEnd = -1;
};
/** inFrame calls under way: a nested one (plugin code calling plugin code) reads its own start. */
let depth = 0;

/** Runs `fn` as plugin code: inside `frame`, timing its synchronous part for `onBlocked`. */
export function inFrame<T>(
  frame: PluginFrame,
  fn: () => T,
  onBlocked: ((ms: number, frame: PluginFrame) => void) | undefined,
  threshold: number,
): T {
  if (!(onBlocked && threshold > 0)) return frames.run(frame, fn);
  const started = runEnd >= 0 && depth === 0 ? runEnd : performance.now();
  depth++;
  try {
    return frames.run(frame, fn);
  } finally {
    depth--;
    const ended = performance.now();
    if (runEnd < 0) queueMicrotask(endRun);
    runEnd = ended;
    const ms = ended - started;
    // Only the synchronous part is measured here: that is what holds the event loop.
    if (ms >= threshold) {
      lastBlocked = ended;
      onBlocked(ms, frame);
    }
  }
}

/**
 * Settles with `work`, or with `'late'` after `ms` (the work goes on but nobody waits for it).
 * A non-positive or infinite budget waits for ever.
 */
export function within(work: Promise<unknown>, ms: number): Promise<'done' | 'late'> {
  if (!(ms > 0 && Number.isFinite(ms))) return work.then(done, done);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('late'), ms);
    const finish = () => {
      clearTimeout(timer);
      resolve('done');
    };
    work.then(finish, finish);
  });
}

const done = () => 'done' as const;

/** Runs plugin code with its frame and reports what it throws; never rejects. */
export type Guard = (hook: string, fn: () => Awaitable<unknown>) => Promise<void>;

/**
 * The timers and background tasks one loaded plugin owns (`bot.setTimeout`, `bot.task`...).
 * Each callback runs as that plugin's code (its frame, its onError); `stop()` clears them
 * all, which the engine does when the bot stops, is unloaded or is replaced by a reload.
 */
export class PluginScope {
  readonly #guard: Guard;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #tasks = new Set<AbortController>();
  #closed = false;
  #tasksStarted = 0;

  constructor(guard: Guard) {
    this.#guard = guard;
  }

  /** Timers and tasks alive now. */
  get size(): number {
    return this.#timers.size + this.#tasks.size;
  }

  setTimeout(fn: () => Awaitable<unknown>, ms: number): BotTimer {
    return this.#timer(fn, ms, false);
  }

  setInterval(fn: () => Awaitable<unknown>, ms: number): BotTimer {
    return this.#timer(fn, ms, true);
  }

  task(fn: (signal: AbortSignal) => Awaitable<unknown>, options: TaskOptions = {}): Promise<void> {
    if (typeof fn !== 'function') {
      throw new TypeError(`bot.task() needs a function (got ${typeof fn})`);
    }
    const controller = new AbortController();
    if (this.#closed) {
      controller.abort(new Error('the bot is stopped'));
      return Promise.resolve();
    }
    this.#tasksStarted += 1;
    const label = `task ${options.name ?? this.#tasksStarted}`;
    this.#tasks.add(controller);
    return this.#guard(label, () => fn(controller.signal)).finally(() =>
      this.#tasks.delete(controller),
    );
  }

  /** Clears every timer and aborts every task; new ones may be made afterwards. */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const task of this.#tasks) task.abort(new Error('the bot is stopping'));
    this.#tasks.clear();
  }

  /** stop(), and from now on new timers and tasks are refused (the plugin is unloaded). */
  close(): void {
    this.#closed = true;
    this.stop();
  }

  #timer(fn: () => Awaitable<unknown>, ms: number, repeat: boolean): BotTimer {
    const method = repeat ? 'setInterval' : 'setTimeout';
    if (typeof fn !== 'function') {
      throw new TypeError(`bot.${method}() needs a function (got ${typeof fn})`);
    }
    if (this.#closed) return { clear() {}, active: false };
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const fire = () => {
      if (!repeat) this.#timers.delete(handle);
      void this.#guard(method, fn);
    };
    // Looked up at call time, so fake timers installed by a test drive these too.
    const handle = repeat ? setInterval(fire, delay) : setTimeout(fire, delay);
    this.#timers.add(handle);
    const timers = this.#timers;
    return {
      clear() {
        clearTimeout(handle);
        timers.delete(handle);
      },
      get active() {
        return timers.has(handle);
      },
    };
  }
}
