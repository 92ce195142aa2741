import { ConversationCancelledError, HookTimeoutError, PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import { type ScheduledJob, schedule } from '../schedule/scheduler.js';
import { type PluginStore, pluginStore, type StoreBackend } from '../store/store.js';
import { Conversations, QueueSlot } from './conversations.js';
import type { BotEvent, BotHost } from './host.js';
import type { LoopGuard, Trigger } from './loop-guard.js';
import { parseCommand } from './parse-command.js';
import {
  DEFAULT_REFUSAL,
  describeAllow,
  mayRun,
  type PermissionOptions,
  refusalText,
  rolesOf,
  UNKNOWN_USER_REFUSAL,
  unknownRoles,
} from './permissions.js';
import { inFrame, type PluginFrame, PluginScope, within } from './plugin-scope.js';
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

/** One piece of queued work: which hook it is in, and whether it was given up on. */
interface Turn {
  hook: string | undefined;
  since: number;
  abandoned: boolean;
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
  readonly store: PluginStore;
  readonly conversations: Conversations;
  /** The slot of the task starting now; contexts made for it capture it (see conversations.ts). */
  #slot: QueueSlot | undefined;
  #warnedNoSender = false;
  #turn: Turn | undefined;
  /** The timers and tasks this plugin made (`bot.setTimeout`, `bot.task`...). */
  readonly scope: PluginScope;
  /** False once unloaded or failed: queued work is skipped and sends are dropped. */
  alive = true;
  #stopping = false;
  #shedding = false;

  constructor(plugin: BotPlugin, config: InstanceConfig, deps: InstanceDeps) {
    this.#plugin = plugin;
    this.#deps = deps;
    this.name = plugin.name;
    this.log = deps.host.logger.child(plugin.name);
    this.#options = Object.freeze({ ...plugin.defaults, ...config.options });
    const rooms = config.enable ?? plugin.rooms;
    this.#rooms = rooms ? new Set(rooms) : undefined;
    this.#disabled = new Set(config.disable ?? []);
    const roles = deps.permissions.roles ?? {};
    this.#info = Object.freeze({
      username: deps.host.username,
      plugin: plugin.name,
      prefix: deps.prefix,
      commands: deps.commands,
      commandsFor: async (user: string | undefined, room?: string) => {
        const out: CommandInfo[] = [];
        for (const c of deps.commands()) {
          if (await mayRun(c.allow, user, roles, { command: c.name, room }, this.log)) out.push(c);
        }
        return out;
      },
      rolesOf: (user: string | undefined) => rolesOf(roles, user),
    });
    this.store = pluginStore(deps.store, plugin.name);
    this.conversations = new Conversations({
      log: this.log,
      context: (event) => this.#messageContext(event, this.#base()),
      track: (work) => void deps.track(work),
      ...(deps.maxConversations === undefined ? {} : { max: deps.maxConversations }),
    });
    this.scope = new PluginScope((hook, fn) => this.#run(hook, fn, undefined, undefined));
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
      const result = this.#call('setup', () => this.#plugin.setup(api));
      const settled = Promise.resolve(result).catch((error: unknown) => {
        failure = { error };
      });
      const budget = this.#deps.timeouts.start;
      if ((await within(settled, budget)) === 'late') {
        failure = { error: new HookTimeoutError(this.name, 'setup', budget) };
      }
      if (!failure) {
        for (const role of unknownRoles(this.hooks.commands, this.#deps.permissions.roles ?? {})) {
          this.log.warn(
            `allow names the role '${role}', which roles: in the config does not define; nobody may run those commands`,
          );
        }
      }
    } catch (error) {
      failure = { error };
    } finally {
      api.seal();
    }
    if (failure) {
      this.alive = false;
      this.scope.close();
      throw await this.#report(failure.error, 'setup');
    }
  }

  /** Set while the bot stops: after a hook is abandoned then, queued events are dropped. */
  get stopping(): boolean {
    return this.#stopping;
  }

  set stopping(value: boolean) {
    this.#stopping = value;
    if (!value) this.#shedding = false;
  }

  /** The hook this plugin is busy with in its queue, and since when (epoch ms). */
  get busy(): { hook: string; since: number } | undefined {
    const turn = this.#turn;
    return turn?.hook === undefined ? undefined : { hook: turn.hook, since: turn.since };
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
    const run = this.#tail.then(() => {
      if (!this.alive) return;
      // A stuck bot that is stopping does not get to chew through its backlog first.
      if (this.#shedding && !lifecycle) return;
      return this.#take(task, budget);
    });
    this.#tail = run.catch((error) => this.log.error('internal error', { error }));
    return this.#deps.track(this.#tail);
  }

  /**
   * Runs one queued task within `budget` ms. The task holds the queue until it ends, or until
   * a hook in it starts waiting for an answer (ctx.ask / waitFor release its slot): then the
   * queue moves on, the hook carries on by itself, and the budget no longer applies to it
   * (a person may take longer than 10 s to answer; the wait has its own timeout).
   */
  async #take(task: (turn: Turn) => Promise<void>, budget: number): Promise<void> {
    const turn: Turn = { hook: undefined, since: Date.now(), abandoned: false };
    this.#turn = turn;
    const slot = new QueueSlot();
    this.#slot = slot;
    let work: Promise<void>;
    try {
      work = task(turn);
    } finally {
      this.#slot = undefined;
    }
    slot.work = work.catch((error) => this.log.error('internal error', { error }));
    try {
      if ((await within(Promise.race([slot.work, slot.released]), budget)) === 'late') {
        turn.abandoned = true;
        if (this.stopping && !this.#shedding) {
          this.#shedding = true;
          this.log.warn('stopping: dropped the events still queued behind the abandoned hook');
        }
        const hook = turn.hook ?? 'an event';
        // Not awaited: the plugin's onError may be as stuck as the hook was.
        void this.#report(new HookTimeoutError(this.name, hook, budget), hook);
      }
    } finally {
      if (this.#turn === turn) this.#turn = undefined;
    }
  }

  /** The room-bound part of every room event's context: reply, users, ask. */
  #roomParts(base: BaseContext, room: string, user: string | undefined) {
    const slot = this.#slot;
    return {
      reply: (text: string) => base.send(room, text),
      users: (r?: string) => base.users(r ?? room),
      ask: (question: string, options?: { timeout?: number | string }) => {
        const known = this.#senderKnown();
        const wait = this.#wait(room, known ? user : undefined, undefined, options, slot);
        base.send(room, question);
        return wait;
      },
    };
  }

  #messageContext(
    event: Extract<RoomEvent, { kind: 'message' }>,
    base: BaseContext,
  ): MessageContext {
    return {
      ...base,
      ...this.#roomParts(base, event.room, event.sender),
      kind: 'message',
      room: event.room,
      text: event.text,
      sender: event.sender,
      match: undefined,
      command: parseCommand(event.text, this.#deps.prefix),
    };
  }

  handleRoomEvent(event: RoomEvent, turn?: Turn): Promise<void> {
    const trigger = event.kind === 'message' ? event : undefined;
    const base = this.#base(turn, trigger);
    switch (event.kind) {
      case 'message': {
        const ctx = this.#messageContext(event, base);
        return this.#pipeline(ctx, turn, () => this.#runMessageHooks(ctx, turn));
      }
      case 'join':
      case 'leave': {
        const parts = this.#roomParts(base, event.room, event.user);
        const ctx = { ...base, ...parts, kind: event.kind, room: event.room, user: event.user };
        const list = event.kind === 'join' ? this.hooks.join : this.hooks.leave;
        const label = event.kind === 'join' ? 'onJoin' : 'onLeave';
        return this.#pipeline(ctx, turn, () =>
          this.#runAll(label, list as Handler<typeof ctx>[], ctx, turn),
        );
      }
      case 'rename': {
        const parts = this.#roomParts(base, event.room, event.user);
        const ctx = { ...base, ...parts, kind: 'rename' as const, room: event.room };
        const full = { ...ctx, user: event.user, old: event.old };
        return this.#pipeline(full, turn, () =>
          this.#runAll('onRename', this.hooks.rename, full, turn),
        );
      }
      case 'userlist': {
        const { reply, ask } = this.#roomParts(base, event.room, undefined);
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
            return this.#run(label, () => spec.handler(ctx), ctx, turn);
          }),
      );
      this.#jobs.push(job);
    }
  }

  stopJobs(): void {
    for (const job of this.#jobs.splice(0)) job.stop();
  }

  /**
   * What every context has. `turn` is the queued work the context belongs to (its sends are
   * dropped once it was abandoned); `trigger` the message being answered (loop protection).
   */
  #base(turn?: Turn, trigger?: Trigger): BaseContext {
    const host = this.#deps.host;
    const slot = this.#slot;
    return {
      store: this.store,
      waitFor: (filter, options) => {
        if (typeof filter !== 'function') {
          throw new TypeError('waitFor(filter) needs a function (ctx) => boolean');
        }
        return this.#wait(undefined, undefined, filter, options, slot);
      },
      bot: this.#info,
      log: this.log,
      options: this.#options,
      state: {},
      send: (room, text) => {
        if (!this.alive) {
          this.log.warn('dropped a message sent after the bot was unloaded', { room });
          return;
        }
        if (turn?.abandoned) {
          this.log.warn(
            'dropped a message sent by a hook that was abandoned (over its time budget)',
            {
              room,
              hook: turn.hook,
            },
          );
          return;
        }
        if (trigger && !this.#deps.guard.allow(trigger)) return;
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

  #wait(
    room: string | undefined,
    user: string | undefined,
    filter: ((ctx: MessageContext) => boolean) | undefined,
    options: { timeout?: number | string } | undefined,
    slot: QueueSlot | undefined,
  ): Promise<MessageContext | undefined> {
    if (!this.alive) return Promise.reject(new ConversationCancelledError('unloaded'));
    return this.conversations.wait({ room, user, slot, options, ...(filter ? { filter } : {}) });
  }

  /** Whether messages carry their sender; warns once per plugin when they do not. */
  #senderKnown(): boolean {
    const known = this.#deps.host.senderKnown?.() ?? true;
    if (!known && !this.#warnedNoSender) {
      this.#warnedNoSender = true;
      this.log.warn(
        "ctx.ask on a server without the 'sender' extension: the next message in the room from anyone answers it",
      );
    }
    return known;
  }

  /** Middleware first, then `hooks` when the last middleware calls next(). */
  async #pipeline(
    ctx: EventContext,
    turn: Turn | undefined,
    hooks: () => Promise<void>,
  ): Promise<void> {
    if (this.hooks.middleware.size === 0) return hooks();
    await this.#run('middleware', () => this.hooks.middleware.run(ctx, hooks), ctx, turn);
  }

  async #runMessageHooks(ctx: MessageContext, turn: Turn | undefined): Promise<void> {
    for (const hook of this.hooks.message) {
      if (turn?.abandoned) return;
      if (hook.type === 'message') {
        await this.#run(hook.label, () => hook.handler(ctx), ctx, turn);
      } else if (hook.type === 'hear') {
        hook.pattern.lastIndex = 0;
        const match = hook.pattern.exec(ctx.text);
        if (match) {
          const hctx = { ...ctx, match };
          await this.#run(hook.label, () => hook.handler(hctx), hctx, turn);
        }
      } else if (ctx.command?.name === hook.name) {
        const cctx = { ...ctx, command: ctx.command };
        if (await this.#allowed(hook.name, hook.allow, cctx)) {
          await this.#run(hook.label, () => hook.handler(cctx), cctx, turn);
        }
      }
    }
  }

  /** Checks a guarded command; a refusal is logged and (unless silenced) answered. */
  async #allowed(name: string, allow: CommandInfo['allow'], ctx: MessageContext): Promise<boolean> {
    if (allow === undefined) return true;
    const { roles = {}, refusal = DEFAULT_REFUSAL } = this.#deps.permissions;
    const about = { command: name, room: ctx.room };
    if (await mayRun(allow, ctx.sender, roles, about, this.log)) return true;
    const allowed = describeAllow(allow);
    this.log.warn('refused a command', {
      command: `${this.#deps.prefix}${name}`,
      user: ctx.sender ?? '(unknown)',
      room: ctx.room,
      allowed,
    });
    if (refusal !== false) {
      const template = ctx.sender === undefined ? UNKNOWN_USER_REFUSAL : refusal;
      ctx.reply(
        refusalText(template, {
          user: ctx.sender,
          command: `${this.#deps.prefix}${name}`,
          allowed,
        }),
      );
    }
    return false;
  }

  async #runAll<C extends AnyContext>(
    label: string,
    list: Handler<C>[],
    ctx: C,
    turn: Turn | undefined,
  ): Promise<void> {
    for (const handler of list) {
      if (turn?.abandoned) return;
      await this.#run(label, () => handler(ctx), ctx, turn);
    }
  }

  /** Runs one piece of plugin code as this plugin's (frame, timing), reporting its failure. */
  async #run(
    label: string,
    fn: () => unknown,
    ctx: AnyContext | undefined,
    turn: Turn | undefined,
  ): Promise<void> {
    const outer = turn?.hook;
    if (turn && label !== 'middleware') turn.hook = label;
    try {
      await this.#call(label, fn);
    } catch (error) {
      if (error instanceof ConversationCancelledError) {
        this.log.debug('a conversation was cancelled', { hook: label, reason: error.reason });
        return;
      }
      if (!turn?.abandoned) await this.#report(error, label, ctx);
      else this.log.debug('an abandoned hook failed later', { hook: label, error });
    } finally {
      if (turn && !turn.abandoned) turn.hook = outer;
    }
  }

  /** Calls plugin code inside its frame; logs when its synchronous part held the loop. */
  #call<T>(hook: string, fn: () => T): T {
    const frame: PluginFrame = { plugin: this.name, hook, owner: this };
    return inFrame(frame, fn, this.#onBlocked(hook), this.#deps.blockedWarn);
  }

  #onBlocked(hook: string): (ms: number) => void {
    return (ms) =>
      this.log.warn(`${hook} held the event loop for ${Math.round(ms)} ms; every bot waited`, {
        plugin: this.name,
        hook,
        ms: Math.round(ms),
        hint: 'move CPU-heavy work to a worker thread, or split it with await',
      });
  }

  /** Logs the failure, hands it to the plugin's onError hooks and the engine; never throws. */
  async #report(error: unknown, hook: string, ctx?: AnyContext): Promise<PluginError> {
    const err =
      error instanceof PluginError && error.plugin === this.name
        ? error
        : new PluginError(this.name, hook, { cause: error });
    const timedOut = err.cause instanceof HookTimeoutError ? err.cause : undefined;
    if (timedOut) {
      this.log.error(`${err.hook} did not settle within ${timedOut.budget} ms; abandoned it`, {
        plugin: this.name,
        hook: err.hook,
        budget: `${timedOut.budget}ms`,
      });
    } else {
      this.log.error(`${err.hook} failed`, { plugin: this.name, hook: err.hook, error: err.cause });
    }
    for (const onError of this.hooks.error) {
      let failed: { error: unknown } | undefined;
      try {
        const result = this.#call('onError', () => onError(err, ctx));
        const settled = Promise.resolve(result).catch((error: unknown) => {
          failed = { error };
        });
        if ((await within(settled, this.#deps.timeouts.event)) === 'late') {
          this.log.error('onError did not settle in time; abandoned it', { plugin: this.name });
        }
      } catch (error) {
        failed = { error };
      }
      if (failed) {
        this.log.error('onError failed', {
          plugin: this.name,
          hook: 'onError',
          error: failed.error,
        });
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
