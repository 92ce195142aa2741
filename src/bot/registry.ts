import { PluginError } from '../errors.js';
import type { Logger } from '../log.js';
import { CRON_EXPECTED, cronProblem, timezoneProblem } from '../schedule/cron.js';
import type { PluginStore } from '../store/store.js';
import { Composer, type Middleware } from './composer.js';
import { type HttpRoute, PluginRouter } from './http-routes.js';
import { COMMAND_NAME } from './parse-command.js';
import type { PluginScope } from './plugin-scope.js';
import type {
  Allow,
  AnyContext,
  Awaitable,
  Bot,
  BotTimer,
  CommandContext,
  CommandInfo,
  CommandMeta,
  CronContext,
  CronOptions,
  EventContext,
  Handler,
  HearContext,
  JoinContext,
  LeaveContext,
  LifecycleContext,
  MessageContext,
  PluginHttp,
  RenameContext,
  RoomDestroyedContext,
  TaskOptions,
  UserListContext,
} from './types.js';

/** One message hook; kept in registration order so hooks run in the order they were added. */
export type MessageHook<O> =
  | { type: 'message'; label: string; handler: Handler<MessageContext<O>> }
  | { type: 'hear'; label: string; pattern: RegExp; handler: Handler<HearContext<O>> }
  | {
      type: 'command';
      label: string;
      name: string;
      handler: Handler<CommandContext<O>>;
      /** Who may run it; checked before `handler`. */
      allow?: Allow;
    };

export interface CronSpec<O> {
  expr: string;
  timezone: string | undefined;
  handler: Handler<CronContext<O>>;
}

/** Everything one plugin registered in setup(). */
export interface Hooks<O> {
  middleware: Composer<EventContext<O>>;
  message: MessageHook<O>[];
  join: Handler<JoinContext<O>>[];
  leave: Handler<LeaveContext<O>>[];
  rename: Handler<RenameContext<O>>[];
  userlist: Handler<UserListContext<O>>[];
  destroyed: Handler<RoomDestroyedContext<O>>[];
  start: Handler<LifecycleContext<O>>[];
  stop: Handler<LifecycleContext<O>>[];
  reconnect: Handler<LifecycleContext<O>>[];
  error: ((err: PluginError, ctx?: AnyContext<O>) => Awaitable<unknown>)[];
  commands: CommandInfo[];
  cron: CronSpec<O>[];
  /** `bot.http` routes, in registration order. */
  http: HttpRoute<O>[];
}

export function emptyHooks<O>(): Hooks<O> {
  return {
    middleware: new Composer(),
    message: [],
    join: [],
    leave: [],
    rename: [],
    userlist: [],
    destroyed: [],
    start: [],
    stop: [],
    reconnect: [],
    error: [],
    commands: [],
    cron: [],
    http: [],
  };
}

/** The `bot` object handed to setup(): records hooks into `hooks`, checking each as it comes. */
export class BotSetup<O> implements Bot<O> {
  readonly #hooks: Hooks<O>;
  readonly #prefix: string;
  readonly #scope: PluginScope;
  #sealed = false;
  readonly http: PluginHttp<O>;

  constructor(
    readonly name: string,
    readonly options: O,
    readonly log: Logger,
    prefix: string,
    hooks: Hooks<O>,
    scope: PluginScope,
    readonly store: PluginStore,
  ) {
    this.#prefix = prefix;
    this.#hooks = hooks;
    this.http = new PluginRouter(
      hooks.http,
      (method, handler) => this.#check(method, handler),
      (method, detail) => this.#fail(method, detail),
    );
    this.#scope = scope;
  }

  // Timers and tasks are not hooks: the plugin keeps `bot` and may start them at any time.
  setTimeout(fn: () => Awaitable<unknown>, ms: number): BotTimer {
    return this.#scope.setTimeout(fn, ms);
  }

  setInterval(fn: () => Awaitable<unknown>, ms: number): BotTimer {
    return this.#scope.setInterval(fn, ms);
  }

  task(fn: (signal: AbortSignal) => Awaitable<unknown>, options?: TaskOptions): Promise<void> {
    return this.#scope.task(fn, options);
  }

  /** After setup() the hook lists are final: a late registration would be silently half-wired. */
  seal(): void {
    this.#sealed = true;
  }

  use(...middleware: Middleware<EventContext<O>>[]): this {
    this.#check('use', ...middleware);
    this.#hooks.middleware.use(...middleware);
    return this;
  }

  onMessage(handler: Handler<MessageContext<O>>): this {
    this.#check('onMessage', handler);
    this.#hooks.message.push({ type: 'message', label: 'onMessage', handler });
    return this;
  }

  hear(pattern: RegExp, handler: Handler<HearContext<O>>): this {
    this.#check('hear', handler);
    if (!(pattern instanceof RegExp)) {
      this.#fail('hear', `the pattern must be a RegExp like /hello/i (got a ${typeof pattern})`);
    }
    this.#hooks.message.push({ type: 'hear', label: `hear ${pattern}`, pattern, handler });
    return this;
  }

  command(name: string, meta: CommandMeta, handler: Handler<CommandContext<O>>): this;
  command(name: string, handler: Handler<CommandContext<O>>): this;
  command(
    name: string,
    metaOrHandler: CommandMeta | Handler<CommandContext<O>>,
    maybeHandler?: Handler<CommandContext<O>>,
  ): this {
    const meta: CommandMeta =
      typeof metaOrHandler === 'function' ? { description: '' } : (metaOrHandler ?? {});
    const handler = typeof metaOrHandler === 'function' ? metaOrHandler : maybeHandler!;
    this.#check('command', handler);
    if (typeof name !== 'string' || !COMMAND_NAME.test(name)) {
      this.#fail(
        'command',
        `command name ${JSON.stringify(name)} must be 1-32 letters, digits, '-' or '_', without the prefix`,
      );
    }
    const key = name.toLowerCase();
    if (this.#hooks.commands.some((c) => c.name === key)) {
      this.#fail('command', `command '${key}' is registered twice`);
    }
    if (typeof meta.description !== 'string') {
      this.#fail('command', `command '${key}': description must be a string`);
    }
    const allow = meta.allow;
    if (
      allow !== undefined &&
      typeof allow !== 'function' &&
      typeof allow !== 'string' &&
      !(Array.isArray(allow) && allow.every((r) => typeof r === 'string'))
    ) {
      this.#fail(
        'command',
        `command '${key}': allow must be a role name, a list of role names or a function (user) => boolean`,
      );
    }
    this.#hooks.commands.push({
      plugin: this.name,
      name: key,
      description: meta.description,
      ...(meta.usage === undefined ? {} : { usage: meta.usage }),
      ...(allow === undefined ? {} : { allow }),
    });
    this.#hooks.message.push({
      type: 'command',
      label: `command ${this.#prefix}${key}`,
      name: key,
      handler,
      ...(allow === undefined ? {} : { allow }),
    });
    return this;
  }

  onJoin(handler: Handler<JoinContext<O>>): this {
    return this.#add('onJoin', this.#hooks.join, handler);
  }

  onLeave(handler: Handler<LeaveContext<O>>): this {
    return this.#add('onLeave', this.#hooks.leave, handler);
  }

  onRename(handler: Handler<RenameContext<O>>): this {
    return this.#add('onRename', this.#hooks.rename, handler);
  }

  onUserList(handler: Handler<UserListContext<O>>): this {
    return this.#add('onUserList', this.#hooks.userlist, handler);
  }

  onRoomDestroyed(handler: Handler<RoomDestroyedContext<O>>): this {
    return this.#add('onRoomDestroyed', this.#hooks.destroyed, handler);
  }

  onStart(handler: Handler<LifecycleContext<O>>): this {
    return this.#add('onStart', this.#hooks.start, handler);
  }

  onStop(handler: Handler<LifecycleContext<O>>): this {
    return this.#add('onStop', this.#hooks.stop, handler);
  }

  onReconnect(handler: Handler<LifecycleContext<O>>): this {
    return this.#add('onReconnect', this.#hooks.reconnect, handler);
  }

  onError(handler: (err: PluginError, ctx?: AnyContext<O>) => Awaitable<unknown>): this {
    return this.#add('onError', this.#hooks.error, handler);
  }

  cron(expr: string, options: CronOptions, fn: Handler<CronContext<O>>): this;
  cron(expr: string, fn: Handler<CronContext<O>>): this;
  cron(
    expr: string,
    optionsOrFn: CronOptions | Handler<CronContext<O>>,
    maybeFn?: Handler<CronContext<O>>,
  ): this {
    const options: CronOptions = typeof optionsOrFn === 'function' ? {} : (optionsOrFn ?? {});
    const handler = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn!;
    this.#check('cron', handler);
    const problem =
      (typeof expr === 'string' ? cronProblem(expr) : 'the expression must be a string') ??
      (options.timezone === undefined ? undefined : timezoneProblem(options.timezone));
    if (problem !== undefined) this.#fail('cron', `${problem} (expected ${CRON_EXPECTED})`);
    this.#hooks.cron.push({ expr, timezone: options.timezone, handler });
    return this;
  }

  #add<H>(method: string, list: H[], handler: H): this {
    this.#check(method, handler);
    list.push(handler);
    return this;
  }

  #check(method: string, ...handlers: unknown[]): void {
    if (this.#sealed) {
      this.#fail(
        method,
        `bot.${method}() was called after setup() finished; register hooks in setup()`,
      );
    }
    for (const h of handlers) {
      if (typeof h !== 'function') {
        this.#fail(method, `bot.${method}() needs a function handler (got ${typeof h})`);
      }
    }
  }

  #fail(method: string, detail: string): never {
    throw new PluginError(this.name, method, { cause: detail });
  }
}
