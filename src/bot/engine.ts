import { ConfigError, PluginError } from '../errors.js';
import { MemoryStore } from '../store/memory.js';
import type { StoreBackend } from '../store/store.js';
import { toPlugin } from './define.js';
import type { BotEvent, BotHost } from './host.js';
import type { HttpResult } from './http-routes.js';
import {
  DEFAULT_HOOK_TIMEOUTS,
  type HookTimeouts,
  type InstanceConfig,
  PluginInstance,
} from './instance.js';
import { LoopGuard, type LoopGuardOptions } from './loop-guard.js';
import { exportedBy, type PluginFrame, within } from './plugin-scope.js';
import type { BotPlugin, CommandInfo, HookObserver, PluginHttpRequest } from './types.js';

export type { HookTimeouts } from './instance.js';
export type { LoopGuardOptions } from './loop-guard.js';

type RoomEvent = Extract<BotEvent, { room: string }>;
const ROOM_EVENTS: ReadonlySet<string> = new Set([
  'message',
  'join',
  'leave',
  'rename',
  'userlist',
  'destroyed',
]);
const DONE: Promise<void> = Promise.resolve();

/** Default of `blockedWarn`: a hook that holds the event loop this long is logged. */
export const DEFAULT_BLOCKED_WARN = 1000;

/** A plugin with its per-bot settings from the config file. */
export interface PluginEntry extends InstanceConfig {
  plugin: BotPlugin;
}

export interface BotEngineOptions {
  host: BotHost;
  plugins?: readonly (BotPlugin | PluginEntry)[];
  /** What starts a command; default `!`. */
  prefix?: string;
  /** Options per plugin name, for plugins given without an entry's own `options`. */
  pluginOptions?: Readonly<Record<string, Record<string, unknown>>>;
  /** Sees every plugin failure (already logged and passed to the plugin's onError). */
  onPluginError?: (err: PluginError) => void;
  /** Times every hook and counts failures, for metrics (`run --http`). */
  observer?: HookObserver;
  /** Where `ctx.store` keeps data; default a fresh in-memory store (gone at exit). */
  store?: StoreBackend;
  /** `roles:` of the config: role name -> usernames, for commands' `allow`. */
  roles?: Readonly<Record<string, readonly string[]>>;
  /**
   * What a refused user is told (`{user}`, `{command}`, `{allowed}`), or `false` for
   * nothing. Default `sorry {user}, {command} is only for {allowed}`.
   */
  refusal?: string | false;
  /** Conversations (`ctx.ask`, `ctx.waitFor`) one plugin may have waiting. Default 1000. */
  maxConversations?: number;
  /**
   * Time budgets in ms (0 = none): `start` 30 s for setup() and onStart, `stop` 30 s for
   * onStop, `event` 10 s for one event in one plugin. A hook over budget is abandoned:
   * logged with plugin and hook, reported to onError, and that plugin's queue goes on.
   */
  timeouts?: Partial<HookTimeouts>;
  /** Log a hook whose synchronous part holds the event loop this long (ms). Default 1000; 0 off. */
  blockedWarn?: number;
  /** Loop protection (see LoopGuardOptions); `false` turns it off. Default 10 replies per sender per room per 10 s. */
  loopGuard?: LoopGuardOptions | false;
}

/** A plugin busy with a hook, as `engine.busy()` lists it. */
export interface BusyPlugin {
  plugin: string;
  hook: string;
  /** Epoch ms when the hook's task went asynchronous (a synchronous one is never seen busy). */
  since: number;
}

export interface BotEngine {
  /** The single entry point: feed it every event, from any source. Never rejects. */
  handleEvent(event: BotEvent): Promise<void>;
  /**
   * handleEvent(), but undefined when every plugin was done with the event before this
   * returned (the runtime uses it to skip tracking work that is already over). Never throws.
   */
  dispatchNow(event: BotEvent): Promise<void> | undefined;
  /** Same as `handleEvent({ kind: 'start' })`: starts cron jobs, runs onStart. */
  start(): Promise<void>;
  /** Same as `handleEvent({ kind: 'stop' })`: stops cron jobs, runs onStop. */
  stop(): Promise<void>;
  /** Every loaded plugin's commands, in load order. */
  commands(): CommandInfo[];
  /**
   * Sets up and adds a plugin (running onStart if the engine is started). A plugin of the
   * same name is replaced, but only once the new one's setup succeeded: a broken reload
   * rejects with PluginError and leaves the old one running.
   */
  add(plugin: BotPlugin | PluginEntry): Promise<void>;
  /** Stops and drops a plugin (its onStop runs, its jobs stop). False if there was none. */
  remove(name: string): Promise<boolean>;
  /** Resolves when no handler, setup or job is running. */
  idle(): Promise<void>;
  /**
   * Resolves once every plugin given at creation has run setup(), with the failures (each a
   * PluginError naming the plugin; a failed plugin is not loaded). Never rejects.
   */
  ready(): Promise<PluginError[]>;
  /**
   * Unloads the plugin version that `frame` belongs to (what `run` does with a plugin whose
   * stray exception reached the process). False when that version is no longer loaded.
   */
  unload(frame: PluginFrame): Promise<boolean>;
  /** Plugins in the middle of a hook now, with the hook and since when. */
  busy(): BusyPlugin[];
  /** Names of the loaded plugins. */
  plugins(): string[];
  /** Rooms the plugins ask to be in (their `rooms`), for the runtime to join. */
  rooms(): string[];
  readonly prefix: string;
  readonly started: boolean;
  /** Every plugin's `bot.http` routes, as `{ plugin, method, path }`. */
  httpRoutes(): { plugin: string; method: string; path: string }[];
  /**
   * Runs `plugin`'s route for `req` (queued behind its other work). Undefined when there is
   * no such plugin or route (404), `'method'` when the path has another method (405).
   */
  handleHttp(plugin: string, req: PluginHttpRequest): Promise<HttpResult | 'method' | undefined>;
}

/**
 * @example
 * const engine = createBotEngine({ host, plugins: [echo, dice], prefix: '!' });
 * await engine.start();
 * await engine.handleEvent({ kind: 'message', room: 'lobby', text: '!roll 2d6', sender: 'ann' });
 */
export function createBotEngine(options: BotEngineOptions): BotEngine {
  const { host } = options;
  const prefix = options.prefix ?? '!';
  const problem = prefixProblem(prefix);
  if (problem !== undefined) throw new ConfigError([`prefix: ${problem}`]);
  const timeouts: HookTimeouts = { ...DEFAULT_HOOK_TIMEOUTS, ...options.timeouts };
  const guard = new LoopGuard(options.loopGuard, host.logger);
  const instances = new Map<string, PluginInstance>();
  const setups: Promise<PluginError | undefined>[] = [];
  let started = false;
  let running = 0;
  const waiters: (() => void)[] = [];

  const track = <T>(work: Promise<T>): Promise<T> => {
    running += 1;
    return work.finally(() => {
      running -= 1;
      if (running === 0) for (const wake of waiters.splice(0)) wake();
    });
  };
  const commands = (): CommandInfo[] => [...instances.values()].flatMap((i) => i.hooks.commands);

  /** The plugin object a bot file exported -> the plugin made of it (safety net, unload). */
  const normalized = new WeakMap<object, BotPlugin>();
  const entryOf = (value: BotPlugin | PluginEntry): PluginEntry => {
    const raw = value as Partial<PluginEntry>;
    const entry: PluginEntry =
      raw.plugin !== undefined && typeof raw.plugin === 'object'
        ? (value as PluginEntry)
        : { plugin: value as BotPlugin };
    const plugin = toPlugin(entry.plugin);
    if (typeof plugin === 'string') {
      const name = (entry.plugin as { name?: unknown })?.name;
      throw new PluginError(typeof name === 'string' ? name : '(unnamed)', 'add', {
        cause: plugin,
      });
    }
    normalized.set(entry.plugin, plugin);
    return {
      ...entry,
      plugin,
      options: entry.options ?? options.pluginOptions?.[plugin.name],
    };
  };

  const store = options.store ?? new MemoryStore();
  const permissions = {
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.refusal !== undefined ? { refusal: options.refusal } : {}),
  };
  const create = (entry: PluginEntry) =>
    new PluginInstance(entry.plugin, entry, {
      host,
      prefix,
      commands,
      track,
      onError: options.onPluginError,
      observer: options.observer,
      store,
      permissions,
      ...(options.maxConversations !== undefined
        ? { maxConversations: options.maxConversations }
        : {}),
      timeouts,
      blockedWarn: options.blockedWarn ?? DEFAULT_BLOCKED_WARN,
      guard,
    });

  const startOne = async (i: PluginInstance): Promise<void> => {
    i.stopping = false;
    i.startJobs();
    await i.enqueue((turn) => i.handleLifecycle('start', turn), timeouts.start, true);
  };

  /** Stops one plugin within the stop budget, however stuck its queue is. */
  const stopOne = async (
    i: PluginInstance,
    reason: 'stop' | 'unloaded' = 'stop',
  ): Promise<void> => {
    i.stopping = true;
    i.stopJobs();
    // Waiting conversations end first: their hooks settle and cannot hold onStop up.
    i.conversations.cancelAll(reason);
    i.scope.stop();
    const stopped = i.enqueue((turn) => i.handleLifecycle('stop', turn), timeouts.stop, true);
    if ((await within(stopped, timeouts.stop)) === 'late') {
      i.log.error(
        `still busy after the stop budget of ${timeouts.stop} ms; stopped without onStop`,
        {
          plugin: i.name,
          hook: i.busy?.hook ?? 'onStop',
        },
      );
    }
  };

  const warnDuplicates = (instance: PluginInstance) => {
    for (const cmd of instance.hooks.commands) {
      const other = commands().find((c) => c.name === cmd.name && c.plugin !== instance.name);
      if (other) {
        instance.log.warn(`${prefix}${cmd.name} is also a command of ${other.plugin}; both run`);
      }
    }
  };

  const drop = (instance: PluginInstance) => {
    instance.alive = false;
    instance.stopJobs();
    instance.conversations.cancelAll('unloaded');
    instance.scope.close();
    if (instances.get(instance.name) === instance) instances.delete(instance.name);
  };

  /**
   * A room event to every plugin that acts in the room, in load order. Undefined when every
   * plugin finished with it at once (the common case: nothing to wait for or track).
   */
  const dispatchRoom = (event: RoomEvent): Promise<void> | undefined => {
    // The bot's own messages and its own joins are not news to its plugins.
    if (event.kind === 'message') {
      if (event.sender === host.username || guard.ignores(event.sender)) return undefined;
    } else if (
      (event.kind === 'join' || event.kind === 'leave' || event.kind === 'rename') &&
      event.user === host.username
    ) {
      return undefined;
    }
    let waits: Promise<void>[] | undefined;
    // A snapshot only when there is more than one: a plugin removed meanwhile is skipped
    // by its queue (alive is false), as it was before.
    const all = instances.size === 1 ? instances.values() : [...instances.values()];
    for (const i of all) {
      // A message a plugin's conversation was waiting for is its answer, not an event.
      if (!i.acts(event.room) || i.conversations.offer(event)) continue;
      const work = i.submit((turn) => i.handleRoomEvent(event, turn));
      if (work === undefined) continue;
      if (waits === undefined) waits = [work];
      else waits.push(work);
    }
    if (waits === undefined) return undefined;
    return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => {});
  };

  const dispatch = async (event: BotEvent): Promise<void> => {
    const all = [...instances.values()];
    switch (event.kind) {
      case 'message':
      case 'join':
      case 'leave':
      case 'rename':
      case 'userlist':
      case 'destroyed':
        await dispatchRoom(event);
        return;
      case 'start':
        if (started) return;
        started = true;
        await Promise.all(all.map(startOne));
        return;
      case 'stop':
        if (!started) return;
        started = false;
        await Promise.all(all.map((i) => stopOne(i)));
        return;
      case 'reconnect':
        await Promise.all(
          all.map((i) => i.enqueue((turn) => i.handleLifecycle('reconnect', turn))),
        );
        return;
      default:
        host.logger.warn('ignored an unknown bot event', {
          kind: (event as { kind: unknown }).kind,
        });
    }
  };

  for (const value of options.plugins ?? []) {
    const entry = entryOf(value);
    if (instances.has(entry.plugin.name)) {
      throw new ConfigError([
        `two bots are named '${entry.plugin.name}'; bot names must be unique (rename one in its defineBot call)`,
      ]);
    }
    const instance = create(entry);
    instances.set(instance.name, instance);
    // Started now, so a synchronous setup() has registered its commands before this returns;
    // queued first, so no event reaches the plugin before setup() is done.
    const ready = instance.setup().then(
      () => {
        warnDuplicates(instance);
        return undefined;
      },
      (err: PluginError) => {
        drop(instance);
        return err;
      },
    );
    setups.push(ready);
    // setup() keeps its own (start) budget, so the queue waits for it without one.
    void instance.enqueue(() => ready.then(() => undefined), 0);
  }

  const engine: BotEngine = {
    prefix,
    get started() {
      return started;
    },
    handleEvent(event) {
      return engine.dispatchNow(event) ?? DONE;
    },
    dispatchNow(event) {
      let work: Promise<void> | undefined;
      try {
        work = ROOM_EVENTS.has(event.kind) ? dispatchRoom(event as RoomEvent) : dispatch(event);
      } catch (error) {
        host.logger.error('bot engine failed to dispatch an event', { error });
        return undefined;
      }
      if (work === undefined) return undefined;
      return track(work).catch((error) => {
        host.logger.error('bot engine failed to dispatch an event', { error });
      });
    },
    start: () => engine.handleEvent({ kind: 'start' }),
    stop: () => engine.handleEvent({ kind: 'stop' }),
    commands,
    async add(value) {
      const entry = entryOf(value);
      const instance = create(entry);
      await track(instance.setup());
      const old = instances.get(instance.name);
      if (old) await engine.remove(old.name);
      instances.set(instance.name, instance);
      warnDuplicates(instance);
      if (started) await startOne(instance);
    },
    async remove(name) {
      const instance = instances.get(name);
      if (!instance) return false;
      instances.delete(name);
      if (started) await stopOne(instance, 'unloaded');
      drop(instance);
      return true;
    },
    async ready() {
      const failures = await Promise.all(setups);
      return failures.filter((f): f is PluginError => f !== undefined);
    },
    async unload(frame) {
      const instance = instances.get(frame.plugin);
      if (!instance) return false;
      // A frame from a bot file's top level names the plugin object the file exported.
      const exported = exportedBy(frame.owner);
      const version = exported === undefined ? undefined : normalized.get(exported);
      if (instance !== frame.owner && !instance.isVersionOf(version)) return false;
      return engine.remove(frame.plugin);
    },
    busy() {
      const out: BusyPlugin[] = [];
      for (const i of instances.values()) {
        const busy = i.busy;
        if (busy) out.push({ plugin: i.name, ...busy });
      }
      return out;
    },
    async idle() {
      while (running > 0) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    plugins: () => [...instances.keys()],
    httpRoutes: () =>
      [...instances.values()].flatMap((i) =>
        i.hooks.http.map((r) => ({ plugin: i.name, method: r.method, path: r.path })),
      ),
    async handleHttp(plugin, req) {
      const instance = instances.get(plugin);
      if (!instance?.alive) return undefined;
      return instance.handleHttp(req);
    },
    rooms: () => [...new Set([...instances.values()].flatMap((i) => i.rooms()))],
  };
  return engine;
}

/** Why `prefix` cannot be a command prefix, or `undefined` when it can (checked before a CLI starts anything). */
export function prefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix === 'string' && /^\S{1,8}$/.test(prefix)) return undefined;
  return `${JSON.stringify(prefix)} is not a command prefix (expected 1-8 characters without spaces, e.g. '!')`;
}
