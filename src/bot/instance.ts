import { PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import { type ScheduledJob, schedule } from '../schedule/scheduler.js';
import type { BotEvent, BotHost } from './host.js';
import { parseCommand } from './parse-command.js';
import { BotSetup, emptyHooks, type Hooks } from './registry.js';
import type {
  AnyContext,
  BaseContext,
  BotInfo,
  BotPlugin,
  CommandInfo,
  DefaultOptions,
  EventContext,
  Handler,
  LifecycleContext,
  MessageContext,
} from './types.js';

export interface InstanceDeps {
  host: BotHost;
  prefix: string;
  commands: () => readonly CommandInfo[];
  /** Sees every reported failure (after the plugin's own onError). */
  onError?: (err: PluginError) => void;
  /** Wraps work that idle() must wait for. */
  track: <T>(work: Promise<T>) => Promise<T>;
}

export interface InstanceConfig {
  options?: Record<string, unknown>;
  /** Only these rooms (overrides the plugin's own `rooms`). */
  enable?: readonly string[];
  /** Never these rooms. */
  disable?: readonly string[];
}

type O = DefaultOptions;
type RoomEvent = Extract<BotEvent, { room: string }>;
type Lifecycle = 'start' | 'stop' | 'reconnect';

/**
 * One loaded plugin: its hooks, its contexts, its cron jobs. Events for it run one at a time
 * in arrival order (a queue per plugin), so its hooks never see a leave before the join.
 */
export class PluginInstance {
  readonly name: string;
  readonly log: Logger;
  readonly hooks: Hooks<O> = emptyHooks();
  readonly #plugin: BotPlugin;
  readonly #deps: InstanceDeps;
  readonly #options: O;
  readonly #rooms: ReadonlySet<string> | undefined;
  readonly #disabled: ReadonlySet<string>;
  readonly #info: BotInfo;
  #tail: Promise<void> = Promise.resolve();
  #jobs: ScheduledJob[] = [];
  /** False once unloaded or failed: queued work is skipped and sends are dropped. */
  alive = true;

  constructor(plugin: BotPlugin, config: InstanceConfig, deps: InstanceDeps) {
    this.#plugin = plugin;
    this.#deps = deps;
    this.name = plugin.name;
    this.log = deps.host.logger.child(plugin.name);
    this.#options = Object.freeze({ ...plugin.defaults, ...config.options });
    const rooms = config.enable ?? plugin.rooms;
    this.#rooms = rooms ? new Set(rooms) : undefined;
    this.#disabled = new Set(config.disable ?? []);
    this.#info = Object.freeze({
      username: deps.host.username,
      plugin: plugin.name,
      prefix: deps.prefix,
      commands: deps.commands,
    });
  }

  /** Runs setup(); on failure reports it, marks the instance dead and rethrows the PluginError. */
  async setup(): Promise<void> {
    const api = new BotSetup(this.name, this.#options, this.log, this.#deps.prefix, this.hooks);
    try {
      await this.#plugin.setup(api);
    } catch (error) {
      this.alive = false;
      const err = await this.#report(error, 'setup');
      throw err;
    } finally {
      api.seal();
    }
  }

  /** Whether this plugin acts in `room` (its `rooms`, or config enable/disable). */
  acts(room: string): boolean {
    if (this.#disabled.has(room)) return false;
    return this.#rooms === undefined || this.#rooms.has(room);
  }

  /** The rooms this plugin asked for (config `enable`, else its `rooms`); empty = any. */
  rooms(): string[] {
    return [...(this.#rooms ?? [])];
  }

  /** Queues `task` behind this plugin's earlier work; never rejects. */
  enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(() => (this.alive ? task() : undefined));
    this.#tail = run.catch((error) => this.log.error('internal error', { error }));
    return this.#deps.track(this.#tail);
  }

  handleRoomEvent(event: RoomEvent): Promise<void> {
    const base = this.#base();
    const reply = (text: string) => base.send(event.room, text);
    const users = (room?: string) => base.users(room ?? event.room);
    switch (event.kind) {
      case 'message': {
        const ctx: MessageContext = {
          ...base,
          kind: 'message',
          room: event.room,
          text: event.text,
          sender: event.sender,
          match: undefined,
          command: parseCommand(event.text, this.#deps.prefix),
          reply,
          users,
        };
        return this.#pipeline(ctx, () => this.#runMessageHooks(ctx));
      }
      case 'join':
      case 'leave': {
        const ctx = { ...base, kind: event.kind, room: event.room, user: event.user, reply, users };
        const list = event.kind === 'join' ? this.hooks.join : this.hooks.leave;
        const label = event.kind === 'join' ? 'onJoin' : 'onLeave';
        return this.#pipeline(ctx, () => this.#runAll(label, list as Handler<typeof ctx>[], ctx));
      }
      case 'rename': {
        const ctx = { ...base, kind: 'rename' as const, room: event.room, reply, users };
        const full = { ...ctx, user: event.user, old: event.old };
        return this.#pipeline(full, () => this.#runAll('onRename', this.hooks.rename, full));
      }
      case 'userlist': {
        const ctx = { ...base, kind: 'userlist' as const, room: event.room, reply };
        const full = { ...ctx, users: Object.freeze([...event.users]) };
        return this.#pipeline(full, () => this.#runAll('onUserList', this.hooks.userlist, full));
      }
      case 'destroyed': {
        const ctx = { ...base, kind: 'destroyed' as const, room: event.room };
        return this.#pipeline(ctx, () =>
          this.#runAll('onRoomDestroyed', this.hooks.destroyed, ctx),
        );
      }
    }
  }

  handleLifecycle(kind: Lifecycle): Promise<void> {
    const ctx: LifecycleContext = { ...this.#base(), kind };
    const label = kind === 'start' ? 'onStart' : kind === 'stop' ? 'onStop' : 'onReconnect';
    return this.#runAll(label, this.hooks[kind], ctx);
  }

  /** Schedules this plugin's cron jobs; each fire is queued like an event. */
  startJobs(): void {
    this.stopJobs();
    for (const spec of this.hooks.cron) {
      const label = `cron ${spec.expr}`;
      const job = schedule(
        spec.expr,
        { timezone: spec.timezone, name: `${this.name} ${spec.expr}`, logger: this.log },
        ({ run, scheduledAt }) =>
          this.enqueue(() => {
            const ctx = {
              ...this.#base(),
              kind: 'cron' as const,
              expr: spec.expr,
              run,
              scheduledAt,
            };
            return this.#run(label, spec.handler, ctx);
          }),
      );
      this.#jobs.push(job);
    }
  }

  stopJobs(): void {
    for (const job of this.#jobs.splice(0)) job.stop();
  }

  #base(): BaseContext {
    const host = this.#deps.host;
    return {
      bot: this.#info,
      log: this.log,
      options: this.#options,
      state: {},
      send: (room, text) => {
        if (!this.alive) {
          this.log.warn('dropped a message sent after the bot was unloaded', { room });
          return;
        }
        host.send(room, text);
      },
      users: (room) => host.users(room),
      rooms: () => host.rooms(),
      join: async (room) => {
        if (!host.join) throw new Error('this bot host cannot join rooms');
        await host.join(room);
      },
      leave: async (room) => {
        if (!host.leave) throw new Error('this bot host cannot leave rooms');
        return host.leave(room);
      },
    };
  }

  /** Middleware first, then `hooks` when the last middleware calls next(). */
  async #pipeline(ctx: EventContext, hooks: () => Promise<void>): Promise<void> {
    if (this.hooks.middleware.size === 0) return hooks();
    try {
      await this.hooks.middleware.run(ctx, hooks);
    } catch (error) {
      await this.#report(error, 'middleware', ctx);
    }
  }

  async #runMessageHooks(ctx: MessageContext): Promise<void> {
    for (const hook of this.hooks.message) {
      if (hook.type === 'message') {
        await this.#run(hook.label, hook.handler, ctx);
      } else if (hook.type === 'hear') {
        hook.pattern.lastIndex = 0;
        const match = hook.pattern.exec(ctx.text);
        if (match) await this.#run(hook.label, hook.handler, { ...ctx, match });
      } else if (ctx.command?.name === hook.name) {
        await this.#run(hook.label, hook.handler, { ...ctx, command: ctx.command });
      }
    }
  }

  async #runAll<C extends AnyContext>(label: string, list: Handler<C>[], ctx: C): Promise<void> {
    for (const handler of list) await this.#run(label, handler, ctx);
  }

  async #run<C extends AnyContext>(label: string, handler: Handler<C>, ctx: C): Promise<void> {
    try {
      await handler(ctx);
    } catch (error) {
      await this.#report(error, label, ctx);
    }
  }

  /** Logs the failure, hands it to the plugin's onError hooks and the engine; never throws. */
  async #report(error: unknown, hook: string, ctx?: AnyContext): Promise<PluginError> {
    const err =
      error instanceof PluginError && error.plugin === this.name
        ? error
        : new PluginError(this.name, hook, { cause: error });
    this.log.error(`${err.hook} failed`, { plugin: this.name, hook: err.hook, error: err.cause });
    for (const onError of this.hooks.error) {
      try {
        await onError(err, ctx);
      } catch (failure) {
        this.log.error('onError failed', { plugin: this.name, hook: 'onError', error: failure });
      }
    }
    try {
      this.#deps.onError?.(err);
    } catch {
      // The engine's observer must not turn a plugin failure into a crash.
    }
    return err;
  }
}
