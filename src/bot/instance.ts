import { HookTimeoutError, type PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import { type ScheduledJob, schedule } from '../schedule/scheduler.js';
import { type PluginStore, pluginStore, type StoreBackend } from '../store/store.js';
import { botInfo, ContextMaker, type Turn } from './contexts.js';
import { Conversations } from './conversations.js';
import { HookRunner } from './hook-runner.js';
import type { BotEvent, BotHost } from './host.js';
import { answerHttp } from './http-answer.js';
import type { HttpResult } from './http-routes.js';
import type { LoopGuard, Trigger } from './loop-guard.js';
import { commandAllowed, type PermissionOptions, warnUnknownRoles } from './permissions.js';
import { PluginQueue, type Task } from './plugin-queue.js';
import { PluginScope, within } from './plugin-scope.js';
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
  HookObserver,
  LifecycleContext,
  MessageContext,
  PluginHttpRequest,
} from './types.js';

export interface InstanceDeps {
  host: BotHost;
  prefix: string;
  commands: () => readonly CommandInfo[];
  /** Sees every reported failure (after the plugin's own onError). */
  onError?: (err: PluginError) => void;
  /** Wraps work that idle() must wait for. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** Times every hook and counts failures (metrics); none by default. */
  observer?: HookObserver | undefined;
  /** Where `ctx.store` keeps this plugin's keys. */
  store: StoreBackend;
  /** Roles and the refusal text for guarded commands. */
  permissions: PermissionOptions;
  /** Most conversations (`ask`, `waitFor`) waiting at once. */
  maxConversations?: number;
  /** Time budgets of hooks, in ms. */
  timeouts: HookTimeouts;
  /** Milliseconds of synchronous work after which a hook is logged as blocking; 0 = off. */
  blockedWarn: number;
  guard: LoopGuard;
}

/** How long a hook may take before it is abandoned, in milliseconds (0 = no limit). */
export interface HookTimeouts {
  /** `setup()` and `onStart`. Default 30,000. */
  start: number;
  /** `onStop` (and the wait for an event already running when the bot stops). Default 30,000. */
  stop: number;
  /** One event for one plugin: middleware and every hook it reaches, a cron fire. Default 10,000. */
  event: number;
}

export const DEFAULT_HOOK_TIMEOUTS: HookTimeouts = Object.freeze({
  start: 30_000,
  stop: 30_000,
  event: 10_000,
});

export interface InstanceConfig {
  options?: Record<string, unknown>;
  /** Only these rooms (overrides the plugin's own `rooms`). */
  enable?: readonly string[];
  /** Never these rooms. */
  disable?: readonly string[];
}

type O = DefaultOptions;
/** What enqueue() returns for work that finished synchronously (shared: nothing to wait on). */
const DONE: Promise<void> = Promise.resolve();
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
  #jobs: ScheduledJob[] = [];
  readonly store: PluginStore;
  readonly conversations: Conversations;
  readonly #contexts: ContextMaker;
  readonly #queue: PluginQueue;
  readonly #runner: HookRunner;
  /** The timers and tasks this plugin made (`bot.setTimeout`, `bot.task`...). */
  readonly scope: PluginScope;
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
    this.#info = botInfo(deps.host.username, plugin.name, deps, this.log);
    this.store = pluginStore(deps.store, plugin.name);
    this.#runner = new HookRunner({
      plugin: plugin.name,
      log: this.log,
      owner: this,
      errorHooks: this.hooks.error,
      onError: deps.onError,
      observer: deps.observer,
      budget: deps.timeouts.event,
      blockedWarn: deps.blockedWarn,
    });
    this.#queue = new PluginQueue(
      {
        name: plugin.name,
        log: this.log,
        alive: () => this.alive,
        track: deps.track,
        observer: deps.observer,
        report: (error, hook) => this.#runner.report(error, hook),
      },
      deps.timeouts.event,
    );
    this.conversations = new Conversations({
      log: this.log,
      context: (event) => this.#contexts.message(event),
      track: (work) => void deps.track(work),
      ...(deps.maxConversations === undefined ? {} : { max: deps.maxConversations }),
    });
    this.#contexts = new ContextMaker({
      host: deps.host,
      info: this.#info,
      log: this.log,
      options: this.#options,
      store: this.store,
      prefix: deps.prefix,
      guard: deps.guard,
      alive: () => this.alive,
      wait: (spec) => this.conversations.wait(spec),
    });
    this.scope = new PluginScope(async (hook, fn) => {
      await this.#runner.run(hook, fn, undefined, undefined);
    });
  }

  /**
   * Runs setup() within the start budget; on failure (or when it does not settle in time)
   * reports it, marks the instance dead and rethrows the PluginError.
   */
  async setup(): Promise<void> {
    const api = new BotSetup(
      this.name,
      this.#options,
      this.log,
      this.#deps.prefix,
      this.hooks,
      this.scope,
      this.store,
    );
    let failure: { error: unknown } | undefined;
    try {
      // Called synchronously, so a synchronous setup() has registered its hooks on return.
      const result = this.#runner.call('setup', () => this.#plugin.setup(api));
      const settled = Promise.resolve(result).catch((error: unknown) => {
        failure = { error };
      });
      const budget = this.#deps.timeouts.start;
      if ((await within(settled, budget)) === 'late') {
        failure = { error: new HookTimeoutError(this.name, 'setup', budget) };
      }
      if (!failure) warnUnknownRoles(this.hooks.commands, this.#deps.permissions, this.log);
    } catch (error) {
      failure = { error };
    } finally {
      api.seal();
    }
    if (failure) {
      this.alive = false;
      this.scope.close();
      throw await this.#runner.report(failure.error, 'setup');
    }
  }

  /** Whether this instance runs `plugin` (the object a bot file exported). */
  isVersionOf(plugin: object | undefined): boolean {
    return plugin !== undefined && plugin === this.#plugin;
  }

  /** Set while the bot stops: after a hook is abandoned then, queued events are dropped. */
  get stopping(): boolean {
    return this.#queue.stopping;
  }

  set stopping(value: boolean) {
    this.#queue.stopping = value;
  }

  /** The hook this plugin is busy with in its queue, and since when (epoch ms). */
  get busy(): { hook: string; since: number } | undefined {
    return this.#queue.busy;
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

  /**
   * Queues `task` behind this plugin's earlier work; never rejects. When it has not settled
   * within `budget` ms it is abandoned: logged, reported to onError, whatever it sends later
   * is dropped, and the queue goes on.
   */
  enqueue(
    task: (turn: Turn) => Promise<void>,
    budget: number = this.#deps.timeouts.event,
    lifecycle = false,
  ): Promise<void> {
    return this.submit(task, budget, lifecycle) ?? DONE;
  }

  /**
   * enqueue(), but undefined when the task ran and finished at once: with nothing queued
   * ahead, a task runs now instead of a microtask later, and one that stays synchronous (an
   * echo) costs no promise, timer or tracking at all. Order is the same either way.
   */
  submit(
    task: Task,
    budget: number = this.#deps.timeouts.event,
    lifecycle = false,
  ): Promise<void> | undefined {
    return this.#queue.submit(task, budget, lifecycle);
  }

  /** Runs one room event through middleware and hooks; undefined when it finished at once. */
  handleRoomEvent(event: RoomEvent, turn?: Turn): Promise<void> | undefined {
    if (event.kind === 'message') {
      const middleware = this.hooks.middleware.size;
      // A plugin that does not listen gets no context built for it.
      if (middleware === 0 && this.hooks.message.length === 0) return undefined;
      const ctx = this.#contexts.message(event, turn, event, this.#queue.slot);
      if (middleware === 0) return this.#runMessageHooks(ctx, turn, 0);
      return this.#pipeline(ctx, turn, async () => {
        await this.#runMessageHooks(ctx, turn, 0);
      });
    }
    const base = this.#base(turn, undefined);
    switch (event.kind) {
      case 'join':
      case 'leave': {
        const parts = this.#room(base, event.room, event.user);
        const ctx = { ...base, ...parts, kind: event.kind, room: event.room, user: event.user };
        const list = event.kind === 'join' ? this.hooks.join : this.hooks.leave;
        const label = event.kind === 'join' ? 'onJoin' : 'onLeave';
        return this.#pipeline(ctx, turn, () =>
          this.#runAll(label, list as Handler<typeof ctx>[], ctx, turn),
        );
      }
      case 'rename': {
        const parts = this.#room(base, event.room, event.user);
        const ctx = { ...base, ...parts, kind: 'rename' as const, room: event.room };
        const full = { ...ctx, user: event.user, old: event.old };
        return this.#pipeline(full, turn, () =>
          this.#runAll('onRename', this.hooks.rename, full, turn),
        );
      }
      case 'userlist': {
        const { reply, ask } = this.#room(base, event.room, undefined);
        const ctx = { ...base, kind: 'userlist' as const, room: event.room, reply, ask };
        const full = { ...ctx, users: Object.freeze([...event.users]) };
        return this.#pipeline(full, turn, () =>
          this.#runAll('onUserList', this.hooks.userlist, full, turn),
        );
      }
      case 'destroyed': {
        const ctx = { ...base, kind: 'destroyed' as const, room: event.room };
        return this.#pipeline(ctx, turn, () =>
          this.#runAll('onRoomDestroyed', this.hooks.destroyed, ctx, turn),
        );
      }
    }
  }

  handleLifecycle(kind: Lifecycle, turn?: Turn): Promise<void> {
    const ctx: LifecycleContext = { ...this.#base(turn), kind };
    const label = kind === 'start' ? 'onStart' : kind === 'stop' ? 'onStop' : 'onReconnect';
    return this.#runAll(label, this.hooks[kind], ctx, turn);
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
          this.enqueue((turn) => {
            const ctx = {
              ...this.#base(turn),
              kind: 'cron' as const,
              expr: spec.expr,
              run,
              scheduledAt,
            };
            return Promise.resolve(
              this.#runner.run(label, () => spec.handler(ctx), ctx, turn),
            ).then(() => {});
          }),
      );
      this.#jobs.push(job);
    }
  }

  stopJobs(): void {
    for (const job of this.#jobs.splice(0)) job.stop();
  }

  /**
   * Runs the `bot.http` route for `req`, queued like an event and within the same event
   * budget. Undefined when the plugin has no route at that path (404), `'method'` when only
   * another method has one (405). A handler that throws is reported like a failed hook and
   * answered 500; one that does not settle in time is abandoned like a hook and answered 504.
   */
  handleHttp(req: PluginHttpRequest): Promise<HttpResult | 'method' | undefined> {
    return answerHttp(
      {
        routes: this.hooks.http,
        budget: this.#deps.timeouts.event,
        enqueue: (task, budget) => this.enqueue(task, budget),
        base: (turn) => this.#base(turn),
        run: (label, fn, turn) => Promise.resolve(this.#runner.run(label, fn, undefined, turn)),
      },
      req,
    );
  }

  #base(turn?: Turn, trigger?: Trigger): BaseContext {
    return this.#contexts.base(turn, trigger, this.#queue.slot);
  }

  #room(base: BaseContext, room: string, user: string | undefined) {
    return this.#contexts.room(base, room, user, this.#queue.slot);
  }

  /** Middleware first, then `hooks` when the last middleware calls next(). */
  async #pipeline(
    ctx: EventContext,
    turn: Turn | undefined,
    hooks: () => Promise<void>,
  ): Promise<void> {
    if (this.hooks.middleware.size === 0) return hooks();
    await this.#runner.run('middleware', () => this.hooks.middleware.run(ctx, hooks), ctx, turn);
  }

  /**
   * The message hooks from `from` on, in order. Stays synchronous while they do: the first
   * hook that returns a promise turns the rest into a chain behind it.
   */
  #runMessageHooks(
    ctx: MessageContext,
    turn: Turn | undefined,
    from: number,
  ): Promise<void> | undefined {
    const list = this.hooks.message;
    for (let i = from; i < list.length; i++) {
      if (turn?.abandoned) return undefined;
      const hook = list[i]!;
      let ran: boolean | Promise<boolean> = true;
      if (hook.type === 'message') {
        ran = this.#runner.run(hook.label, () => hook.handler(ctx), ctx, turn);
      } else if (hook.type === 'hear') {
        hook.pattern.lastIndex = 0;
        const match = hook.pattern.exec(ctx.text);
        if (match) {
          const hctx = { ...ctx, match };
          ran = this.#runner.run(hook.label, () => hook.handler(hctx), hctx, turn);
        }
      } else if (ctx.command?.name === hook.name) {
        const cctx = { ...ctx, command: ctx.command };
        const guard = { ...this.#deps.permissions, prefix: this.#deps.prefix, log: this.log };
        ran = commandAllowed(hook.name, hook.allow, cctx, guard).then(
          (allowed) =>
            allowed && this.#runner.run(hook.label, () => hook.handler(cctx), cctx, turn),
        );
      }
      if (typeof ran !== 'boolean') {
        return ran.then(() => this.#runMessageHooks(ctx, turn, i + 1));
      }
    }
    return undefined;
  }

  async #runAll<C extends AnyContext>(
    label: string,
    list: Handler<C>[],
    ctx: C,
    turn: Turn | undefined,
  ): Promise<void> {
    for (const handler of list) {
      if (turn?.abandoned) return;
      await this.#runner.run(label, () => handler(ctx), ctx, turn);
    }
  }
}
