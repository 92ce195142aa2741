import {
  type BotEngine,
  type BotEngineOptions,
  createBotEngine,
  type PluginEntry,
} from '../bot/engine.js';
import type { AnyBotPlugin } from '../bot/types.js';
import type { MpcrpClient } from '../client/index.js';
import type { Announcement, AnnouncementDelivery } from '../schedule/announcements.js';
import type { StoreBackend } from '../store/store.js';
import type { RuntimeCoreOptions, RuntimeEvents } from './core-options.js';
import type { OutboxPushOptions, OutboxStats } from './outbox.js';
import { RuntimeCore } from './runtime.js';
import type { RuntimeStats } from './stats.js';

export interface RuntimeOptions extends RuntimeCoreOptions {
  /** The bots to run; an entry adds per-bot `options` and `enable`/`disable` rooms. */
  plugins?: readonly (AnyBotPlugin | PluginEntry)[];
  /** Command prefix. Default `!`. */
  prefix?: string;
  /**
   * Scheduled announcements (the config file's `announcements:`): `text` goes out through the
   * outbox and is skipped when it would arrive later than `maxDelay` after its time;
   * `command` runs as if said in the room by nobody (sender undefined).
   */
  announcements?: readonly Announcement[];
  /** Counters for the metrics endpoint (`run --http`): hooks, announcements. Default none. */
  stats?: RuntimeStats;
  /**
   * Where plugins' `ctx.store` lives (see openStore); default in memory. The caller opens it
   * and closes it after stop().
   */
  store?: StoreBackend;
  /** `roles:` of the config, for commands' `allow`. */
  roles?: Readonly<Record<string, readonly string[]>>;
  /** What a refused user is told, or `false` for nothing (see BotEngineOptions.refusal). */
  refusal?: string | false;
  /** Hook time budgets (see BotEngineOptions.timeouts). */
  timeouts?: BotEngineOptions['timeouts'];
  /** Log a hook holding the event loop this long (ms). Default 1000. */
  blockedWarn?: number;
  /** Loop protection between bots (see LoopGuardOptions). */
  loopGuard?: BotEngineOptions['loopGuard'];
  /** Sees every plugin failure, already logged and passed to the plugin's onError. */
  onPluginError?: BotEngineOptions['onPluginError'];
}

/** A running bot: connection, rooms, presence, outbox and the plugin engine. */
export interface BotRuntime {
  /** `ready` (session up; `reconnected` after a drop) and `disconnected`. */
  on<E extends keyof RuntimeEvents>(event: E, listener: (...args: RuntimeEvents[E]) => void): this;
  once<E extends keyof RuntimeEvents>(
    event: E,
    listener: (...args: RuntimeEvents[E]) => void,
  ): this;
  off<E extends keyof RuntimeEvents>(event: E, listener: (...args: RuntimeEvents[E]) => void): this;
  readonly username: string;
  /** Normalised server URL. */
  readonly url: string;
  readonly engine: BotEngine;
  readonly connected: boolean;
  /** Rooms the bot is in now. */
  readonly rooms: readonly string[];
  /** Extensions granted in the current session. */
  readonly extensions: ReadonlySet<string>;
  /** The live connection, if any. */
  readonly client: MpcrpClient | undefined;
  readonly outboxStats: OutboxStats;
  /** Frames waiting in the outbox now, per room that has any. */
  outboxDepths(): Map<string, number>;
  /** Events handed to the plugins so far. */
  readonly dispatched: number;
  /** Every room the bot means to be in (also while disconnected): where send() can queue. */
  readonly wantedRooms: readonly string[];
  /** Connects (retrying as long as it takes), enters the rooms, starts the plugins. */
  start(): Promise<void>;
  /** Plugins' stop hooks, flush the outbox (bounded), quit rooms, close. */
  stop(): Promise<void>;
  /** Resolves when the plugins are idle and the outbox is empty. */
  idle(): Promise<void>;
  /** Queues text as the bot; false when not queued (logged). `notAfter` in epoch ms. */
  send(room: string, text: string, options?: OutboxPushOptions): boolean;
  /** Adds a room to the bot's rooms and enters it now when connected (creating it if missing). */
  join(room: string): Promise<void>;
  /** Quits a room and stops entering it; false when it was not one of the bot's rooms. */
  leave(room: string): Promise<boolean>;
  /** Adds or replaces a plugin while running (joins any room it asks for). */
  load(plugin: AnyBotPlugin | PluginEntry): Promise<void>;
}

/**
 * Assembles a bot: the plugin engine behind a connection that reconnects by itself.
 *
 * @example
 * import { createRuntime, defineBot } from 'mpcrp-bot';
 *
 * const echo = defineBot({ name: 'echo', setup: (bot) => bot.command('echo', (ctx) => ctx.reply(ctx.command.rest)) });
 * const runtime = createRuntime({ server: 'mpcrp://127.0.0.1:8890', username: 'echo-bot', rooms: ['lobby'], plugins: [echo] });
 * await runtime.start();
 * process.on('SIGTERM', () => void runtime.stop());
 */
export function createRuntime(options: RuntimeOptions): BotRuntime {
  const core = new RuntimeCore(options);
  const engine = createBotEngine({
    host: core.host,
    plugins: options.plugins ?? [],
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(options.stats ? { observer: options.stats } : {}),
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.roles !== undefined ? { roles: options.roles } : {}),
    ...(options.refusal !== undefined ? { refusal: options.refusal } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.blockedWarn !== undefined ? { blockedWarn: options.blockedWarn } : {}),
    ...(options.loopGuard !== undefined ? { loopGuard: options.loopGuard } : {}),
    ...(options.onPluginError ? { onPluginError: options.onPluginError } : {}),
  });
  core.attach(engine);
  for (const room of engine.rooms()) core.want(room);
  const announcements = (options.announcements ?? []).filter((a) => a.enabled !== false);
  for (const a of announcements) for (const room of a.rooms) core.want(room);
  let schedule: { stop(): void } | undefined;
  const counts = options.stats?.announcements;
  const deliver = (d: AnnouncementDelivery): void => {
    if (counts) {
      counts.fired += 1;
      if (Date.now() - d.firedAt.getTime() > options.stats!.lateAfter) counts.late += 1;
    }
    if (d.command !== undefined) {
      core.inject({ kind: 'message', room: d.room, text: d.command, sender: undefined });
    } else {
      const queued = core.send(d.room, d.text ?? '', {
        notAfter: d.firedAt.getTime() + d.maxDelay,
      });
      if (!queued && counts) counts.skipped += 1;
    }
  };
  const runtime: BotRuntime = {
    get username() {
      return core.username;
    },
    get url() {
      return core.url;
    },
    engine,
    get connected() {
      return core.connected;
    },
    get rooms() {
      return core.rooms;
    },
    get extensions() {
      return core.extensions;
    },
    get client() {
      return core.client;
    },
    get dispatched() {
      return core.dispatched;
    },
    get outboxStats() {
      return core.outbox.stats;
    },
    get wantedRooms() {
      return core.wantedRooms;
    },
    on(event, listener) {
      core.on(event, listener as never);
      return runtime;
    },
    once(event, listener) {
      core.once(event, listener as never);
      return runtime;
    },
    off(event, listener) {
      core.off(event, listener as never);
      return runtime;
    },
    async start() {
      if (announcements.length > 0) {
        // croner is loaded only by bots that have a schedule.
        const { startAnnouncements } = await import('../schedule/announcements.js');
        schedule = startAnnouncements(announcements, { deliver, logger: core.logger });
      }
      await core.start();
    },
    async stop() {
      schedule?.stop();
      await core.stop();
    },
    outboxDepths: () => core.outbox.depths(),
    idle: () => core.idle(),
    send: (room, text, o) => core.send(room, text, o),
    join: (room) => core.enter(room),
    leave: (room) => core.leave(room),
    async load(plugin) {
      await engine.add(plugin);
      await Promise.all(engine.rooms().map((room) => core.enter(room)));
    },
  };
  return runtime;
}
