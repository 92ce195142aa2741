import type { PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PluginStore, StoreShape } from '../store/store.js';
import type { Middleware } from './composer.js';

/** A value or a promise of it: every hook may be sync or async; the engine awaits it. */
export type Awaitable<T> = T | Promise<T>;

/** Options a plugin receives when it declares none. */
export type DefaultOptions = Record<string, unknown>;

/** A command as registered, listed by `engine.commands()` and `ctx.bot.commands()`. */
export interface CommandInfo {
  /** The plugin that registered it. */
  readonly plugin: string;
  /** Without the prefix, e.g. `roll`. */
  readonly name: string;
  readonly description: string;
  /** Argument synopsis shown by help, e.g. `<count>d<sides>`. */
  readonly usage?: string | undefined;
  /** Who may run it (`CommandMeta.allow`); unset means everyone. */
  readonly allow?: Allow;
}

/** A message parsed as `<prefix><name> <args>`. */
export interface ParsedCommand {
  /** As typed, lower-cased (commands match case-insensitively). */
  readonly name: string;
  /** Split on white space; "double" or 'single' quotes group words into one argument. */
  readonly args: readonly string[];
  /** Everything after the name, trimmed, quotes untouched. */
  readonly rest: string;
}

/** Who the bot is, from a plugin's point of view. */
export interface BotInfo {
  /** The bot's own username on the server. */
  readonly username: string;
  /** This plugin's name. */
  readonly plugin: string;
  /** The command prefix, e.g. `!`. */
  readonly prefix: string;
  /** Every command of every loaded plugin (what `!help` lists). */
  commands(): readonly CommandInfo[];
  /** The commands `user` may run (`undefined`: an unknown user, who may run unguarded ones). */
  commandsFor(user: string | undefined, room?: string): Promise<CommandInfo[]>;
  /** The roles of the config's `roles:` that `user` holds. */
  rolesOf(user: string | undefined): string[];
}

/** What every context has, whatever the event. */
export interface BaseContext<O = DefaultOptions> {
  readonly bot: BotInfo;
  /** A logger scoped to this plugin (`host.logger.child(pluginName)`). */
  readonly log: Logger;
  /** This plugin's options from the config file (merged over its `defaults`). */
  readonly options: O;
  /** Free space for middleware to hand data to later middleware and hooks. */
  readonly state: Record<string, unknown>;
  /**
   * Queues `text` for `room` (rate limited; held while disconnected; delivered at least
   * once). Throws NotInRoomError when `room` is not one of the bot's rooms.
   */
  send(room: string, text: string): void;
  /** Current members of `room`, asked from the server. */
  users(room: string): Promise<string[]>;
  /** Rooms the bot is in now. */
  rooms(): readonly string[];
  /**
   * This plugin's key-value store (its keys only; JSON values). Durable by default; shared
   * between processes on Redis. Type it with `defineBot<Options, Shape>` and `bot.store`, or
   * per call: `ctx.store.get<number>('count')`.
   */
  readonly store: PluginStore;
  /**
   * Waits for the next message in a room the plugin acts in that `filter` accepts, without
   * holding up this plugin's other events. The message is consumed: this plugin's hooks do
   * not see it. Resolves `undefined` after `timeout` (default 5 minutes).
   */
  waitFor(filter: MessageFilter, options?: WaitOptions): Promise<MessageContext<O> | undefined>;
  /**
   * Makes `room` one of the bot's rooms (created when missing), like a configured room:
   * entered now when connected, and again after every reconnect. Resolves once the bot is
   * in it, or at once while disconnected (it is entered on the reconnect).
   */
  join(room: string): Promise<void>;
  /**
   * Quits `room` and stops entering it; messages still queued for it are dropped (logged).
   * Resolves to false when it was not one of the bot's rooms.
   */
  leave(room: string): Promise<boolean>;
}

/** A context tied to one room. */
export interface RoomContext<O = DefaultOptions> extends BaseContext<O> {
  readonly room: string;
  /** Members of `room`, default this context's room. */
  users(room?: string): Promise<string[]>;
  /** Sends `text` to this context's room. */
  reply(text: string): void;
  /**
   * Sends `question` to this room and resolves with the next message of the same user here
   * (the message's sender, or the joining/leaving user), or `undefined` after `timeout`
   * (default 5 minutes). Other events keep flowing meanwhile; the answer is not dispatched to
   * this plugin's hooks. Without the `sender` extension users are unknown: the next message in
   * the room from anyone answers, and its `sender` is `undefined`. Rejects with
   * ConversationCancelledError when the bot stops, the plugin is reloaded or the user leaves.
   */
  ask(question: string, options?: AskOptions): Promise<MessageContext<O> | undefined>;
}

export interface MessageContext<O = DefaultOptions> extends RoomContext<O> {
  readonly kind: 'message';
  readonly text: string;
  /**
   * Who sent it. Known only when the server grants the `sender` extension; on a strict
   * RFC 8890 server it is `undefined` (the base protocol does not say who spoke).
   */
  readonly sender: string | undefined;
  /** The `hear()` pattern's match; set only inside a `hear` handler. */
  readonly match: RegExpExecArray | undefined;
  /** The parsed command when the text starts with the prefix, else `undefined`. */
  readonly command: ParsedCommand | undefined;
}

/** Inside `hear(regex, handler)`: `match` is always set. */
export interface HearContext<O = DefaultOptions> extends MessageContext<O> {
  readonly match: RegExpExecArray;
}

/** Inside `command(name, handler)`: `command` is always set. */
export interface CommandContext<O = DefaultOptions> extends MessageContext<O> {
  readonly command: ParsedCommand;
}

export interface JoinContext<O = DefaultOptions> extends RoomContext<O> {
  readonly kind: 'join';
  readonly user: string;
}

export interface LeaveContext<O = DefaultOptions> extends RoomContext<O> {
  readonly kind: 'leave';
  readonly user: string;
}

/** Here `users` is the member list itself, not the method other contexts have. */
/** A member changed name; only with the presence extension (polling sees leave + join). */
export interface RenameContext<O = DefaultOptions> extends RoomContext<O> {
  readonly kind: 'rename';
  /** The new name. */
  readonly user: string;
  /** The name before. */
  readonly old: string;
}

export interface UserListContext<O = DefaultOptions> extends Omit<RoomContext<O>, 'users'> {
  readonly kind: 'userlist';
  /** The whole member list: first the initial one, then after each change. */
  readonly users: readonly string[];
}

export interface RoomDestroyedContext<O = DefaultOptions> extends BaseContext<O> {
  readonly kind: 'destroyed';
  readonly room: string;
}

export interface LifecycleContext<O = DefaultOptions> extends BaseContext<O> {
  readonly kind: 'start' | 'stop' | 'reconnect';
}

/** Inside a `bot.cron` job. */
export interface CronContext<O = DefaultOptions> extends BaseContext<O> {
  readonly kind: 'cron';
  /** The cron expression. */
  readonly expr: string;
  /** 1 for this job's first fire since start. */
  readonly run: number;
  /** When the fire was due (the timer may run a little later). */
  readonly scheduledAt: Date;
}

/** What middleware (`bot.use`) sees: every room event; narrow on `ctx.kind`. */
export type EventContext<O = DefaultOptions> =
  | MessageContext<O>
  | JoinContext<O>
  | LeaveContext<O>
  | RenameContext<O>
  | UserListContext<O>
  | RoomDestroyedContext<O>;

/** Any context a hook or `onError` can get. */
export type AnyContext<O = DefaultOptions> = EventContext<O> | LifecycleContext<O> | CronContext<O>;

export type Handler<C> = (ctx: C) => Awaitable<unknown>;

export interface CommandMeta {
  description: string;
  /** Argument synopsis for help, e.g. `<count>d<sides>`. */
  usage?: string | undefined;
  /**
   * Who may run it: a role of the config's `roles:`, a list of roles (any of them), or a
   * predicate. Others get a refusal and the handler never runs. Unset: everyone.
   */
  allow?: Allow;
}

export interface CronOptions {
  /** IANA time zone, default the machine's. */
  timezone?: string | undefined;
}

/** The object `setup(bot)` receives: register hooks on it. Every method returns it for chaining. */
export interface Bot<O = DefaultOptions, S extends StoreShape = StoreShape> {
  /** This plugin's name. */
  readonly name: string;
  readonly options: O;
  readonly log: Logger;
  /** This plugin's store, typed by `defineBot`'s second type argument (same as `ctx.store`). */
  readonly store: PluginStore<S>;
  /** Middleware in front of this plugin's hooks; a middleware that skips `next()` stops the event. */
  use(...middleware: Middleware<EventContext<O>>[]): this;
  /** Every room message (commands included), except the bot's own. */
  onMessage(handler: Handler<MessageContext<O>>): this;
  /** Messages matching `pattern`; the match is `ctx.match`. */
  hear(pattern: RegExp, handler: Handler<HearContext<O>>): this;
  /** `<prefix><name> args`; parsed arguments are `ctx.command`. */
  command(name: string, meta: CommandMeta, handler: Handler<CommandContext<O>>): this;
  command(name: string, handler: Handler<CommandContext<O>>): this;
  onJoin(handler: Handler<JoinContext<O>>): this;
  onLeave(handler: Handler<LeaveContext<O>>): this;
  /**
   * A member of one of the bot's rooms changed name (`ctx.old` to `ctx.user`). Needs the
   * presence extension; on a strict server a rename looks like onLeave + onJoin.
   */
  onRename(handler: Handler<RenameContext<O>>): this;
  /** The member list of a room: once when known, then after each change. */
  onUserList(handler: Handler<UserListContext<O>>): this;
  onRoomDestroyed(handler: Handler<RoomDestroyedContext<O>>): this;
  /** Connected and in the configured rooms. */
  onStart(handler: Handler<LifecycleContext<O>>): this;
  /** Shutting down or being unloaded: clear timers here. */
  onStop(handler: Handler<LifecycleContext<O>>): this;
  /** Connected again after a drop (rooms rejoined). */
  onReconnect(handler: Handler<LifecycleContext<O>>): this;
  /** Any of this plugin's hooks failed; `err.hook` says which. */
  onError(handler: (err: PluginError, ctx?: AnyContext<O>) => Awaitable<unknown>): this;
  /** Runs `fn` on a cron schedule while the bot is started. */
  cron(expr: string, options: CronOptions, fn: Handler<CronContext<O>>): this;
  cron(expr: string, fn: Handler<CronContext<O>>): this;
  /** HTTP routes under `/plugins/<name>/`, served when the bot runs with `run --http`. */
  readonly http: PluginHttp<O>;
  /** See PluginTimers.setTimeout. */
  setTimeout: PluginTimers['setTimeout'];
  /** See PluginTimers.setInterval. */
  setInterval: PluginTimers['setInterval'];
  /** See PluginTimers.task. */
  task: PluginTimers['task'];
}

/** Timers and background tasks that belong to one plugin (part of `Bot`). */
export interface PluginTimers {
  /**
   * Runs `fn` once after `ms`, as this plugin's code: a throw or rejection goes to its
   * `onError` hooks (hook `setTimeout`), never to the process. Cleared when the bot stops,
   * is unloaded or reloaded. Callable in setup and in any hook.
   */
  setTimeout(fn: () => Awaitable<unknown>, ms: number): BotTimer;
  /** Runs `fn` every `ms`, like `setTimeout` above (hook `setInterval`). */
  setInterval(fn: () => Awaitable<unknown>, ms: number): BotTimer;
  /**
   * Runs background work that belongs to this plugin: a rejection goes to its `onError`
   * (hook `task NAME`), and `signal` aborts when the bot stops, is unloaded or reloaded.
   * Resolves when `fn` has settled; never rejects.
   */
  task(fn: (signal: AbortSignal) => Awaitable<unknown>, options?: TaskOptions): Promise<void>;
}

/** A timer made by `bot.setTimeout` / `bot.setInterval`. */
export interface BotTimer {
  /** Cancels it (no-op when it already ran or was cleared). */
  clear(): void;
  /** False once it ran (setTimeout), was cleared, or the bot stopped. */
  readonly active: boolean;
}

export interface TaskOptions {
  /** Shown in logs and `err.hook` (`task NAME`); default a number. */
  name?: string | undefined;
}

/** What `defineBot` takes. */
export interface BotDefinition<O = DefaultOptions, S extends StoreShape = StoreShape> {
  /** Unique among loaded bots; used in logs, errors and config. */
  name: string;
  description?: string | undefined;
  /** Rooms this bot works in (the runtime joins them); default: every room the bot is in. */
  rooms?: readonly string[] | undefined;
  /** Options used where the config file gives none. */
  defaults?: Partial<O> | undefined;
  setup(bot: Bot<O, S>): Awaitable<void>;
}

/**
 * A validated bot, as `defineBot` returns it and the engine runs it. Without a type argument
 * it stands for a bot with any options, which is what the engine and runtime accept.
 */
// biome-ignore lint/suspicious/noExplicitAny: the options and store types are the plugin's own business; the engine passes them through untouched
export interface BotPlugin<O = any, S extends StoreShape = any> extends BotDefinition<O, S> {
  readonly rooms: readonly string[] | undefined;
}

/** Same as `BotPlugin` without a type argument: a bot with any options. */
export type AnyBotPlugin = BotPlugin;

/** A request to one of a plugin's HTTP routes (`bot.http`), as the HTTP listener read it. */
export interface PluginHttpRequest {
  /** Upper case, e.g. `POST`. */
  readonly method: string;
  /** The path below the plugin's mount: `/deploy` for `/plugins/<name>/deploy`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The parsed body: a JSON value when the request says `application/json` (a JSON body
   * that does not parse is answered 400 before the handler runs), else the text.
   */
  readonly body: unknown;
  /** The body's bytes as received, e.g. to check a webhook's HMAC signature. */
  readonly rawBody: Buffer;
}

/** Inside a `bot.http` handler. */
export interface HttpContext<O = DefaultOptions> extends BaseContext<O> {
  readonly kind: 'http';
  /**
   * Answers with `status` (and `body`) instead of the handler's return value. Without it a
   * returned string is sent as text, another value as JSON (both 200), nothing as 204.
   */
  respond(status: number, body?: unknown): void;
}

export type HttpHandler<O = DefaultOptions> = (
  req: PluginHttpRequest,
  ctx: HttpContext<O>,
) => Awaitable<unknown>;

/**
 * A plugin's HTTP routes, mounted under `/plugins/<name>/` when the bot runs with
 * `run --http`. Paths match exactly (no parameters); a route runs in the plugin's queue
 * like a hook, and a throw answers 500 and goes to `onError` like a hook's.
 */
export interface PluginHttp<O = DefaultOptions> {
  get(path: string, handler: HttpHandler<O>): PluginHttp<O>;
  post(path: string, handler: HttpHandler<O>): PluginHttp<O>;
}

/** Sees every hook a plugin runs (the metrics of `run --http`); hooks are labelled as in logs. */
export interface HookObserver {
  /** A hook of `plugin` finished after `seconds` (failed or not). */
  hookRan(plugin: string, hook: string, seconds: number): void;
  /** A hook (or setup, or middleware) of `plugin` failed. */
  hookFailed(plugin: string, hook: string): void;
}
/** How long a conversation waits: milliseconds or a duration such as `'2m'`. */
export interface WaitOptions {
  /** Default 5 minutes; at most 24 hours. */
  timeout?: number | string;
}

/** `ctx.ask` options. */
export interface AskOptions extends WaitOptions {}

/** Which message `ctx.waitFor` is waiting for. */
export type MessageFilter = (ctx: MessageContext) => boolean;

/** What an `allow` predicate is asked about. */
export interface AllowQuery {
  /** The command, without the prefix. */
  readonly command: string;
  /** Where it was typed; undefined when help lists commands in general. */
  readonly room: string | undefined;
  /** The roles of `roles:` the user holds. */
  readonly roles: readonly string[];
}

/**
 * Who may run a command: a role name from the config's `roles:`, a list of role names (any
 * of them), or a predicate given the user (known: unknown users never reach it).
 */
export type Allow =
  | string
  | readonly string[]
  | ((user: string, query: AllowQuery) => Awaitable<boolean>);
