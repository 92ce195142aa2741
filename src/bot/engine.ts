import { ConfigError, PluginError } from '../errors.js';
import { toPlugin } from './define.js';
import type { BotEvent, BotHost } from './host.js';
import { type InstanceConfig, PluginInstance } from './instance.js';
import type { BotPlugin, CommandInfo } from './types.js';

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
}

export interface BotEngine {
  /** The single entry point: feed it every event, from any source. Never rejects. */
  handleEvent(event: BotEvent): Promise<void>;
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
  /** Names of the loaded plugins. */
  plugins(): string[];
  /** Rooms the plugins ask to be in (their `rooms`), for the runtime to join. */
  rooms(): string[];
  readonly prefix: string;
  readonly started: boolean;
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
  if (typeof prefix !== 'string' || !/^\S{1,8}$/.test(prefix)) {
    throw new ConfigError([
      `prefix: ${JSON.stringify(prefix)} is not a command prefix (expected 1-8 characters without spaces, e.g. '!')`,
    ]);
  }
  const instances = new Map<string, PluginInstance>();
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
    return {
      ...entry,
      plugin,
      options: entry.options ?? options.pluginOptions?.[plugin.name],
    };
  };

  const create = (entry: PluginEntry) =>
    new PluginInstance(entry.plugin, entry, {
      host,
      prefix,
      commands,
      track,
      onError: options.onPluginError,
    });

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
    if (instances.get(instance.name) === instance) instances.delete(instance.name);
  };

  const dispatch = async (event: BotEvent): Promise<void> => {
    const all = [...instances.values()];
    switch (event.kind) {
      case 'message':
      case 'join':
      case 'leave':
      case 'rename':
      case 'userlist':
      case 'destroyed': {
        // The bot's own messages and its own joins are not news to its plugins.
        if (event.kind === 'message' && event.sender === host.username) return;
        if (
          (event.kind === 'join' || event.kind === 'leave' || event.kind === 'rename') &&
          event.user === host.username
        ) {
          return;
        }
        const targets = all.filter((i) => i.acts(event.room));
        await Promise.all(targets.map((i) => i.enqueue(() => i.handleRoomEvent(event))));
        return;
      }
      case 'start':
        if (started) return;
        started = true;
        for (const i of all) i.startJobs();
        await Promise.all(all.map((i) => i.enqueue(() => i.handleLifecycle('start'))));
        return;
      case 'stop':
        if (!started) return;
        started = false;
        for (const i of all) i.stopJobs();
        await Promise.all(all.map((i) => i.enqueue(() => i.handleLifecycle('stop'))));
        return;
      case 'reconnect':
        await Promise.all(all.map((i) => i.enqueue(() => i.handleLifecycle('reconnect'))));
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
      () => warnDuplicates(instance),
      () => drop(instance),
    );
    void instance.enqueue(() => ready);
  }

  const engine: BotEngine = {
    prefix,
    get started() {
      return started;
    },
    handleEvent(event) {
      return track(dispatch(event)).catch((error) => {
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
      if (started) {
        instance.startJobs();
        await instance.enqueue(() => instance.handleLifecycle('start'));
      }
    },
    async remove(name) {
      const instance = instances.get(name);
      if (!instance) return false;
      instances.delete(name);
      instance.stopJobs();
      if (started) await instance.enqueue(() => instance.handleLifecycle('stop'));
      drop(instance);
      return true;
    },
    async idle() {
      while (running > 0) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    plugins: () => [...instances.keys()],
    rooms: () => [...new Set([...instances.values()].flatMap((i) => i.rooms()))],
  };
  return engine;
}
