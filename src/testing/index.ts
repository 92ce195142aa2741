import { toPlugin } from '../bot/define.js';
import type { PluginEntry } from '../bot/engine.js';
import type { AnyBotPlugin } from '../bot/types.js';
import type { PluginError } from '../errors.js';
import { isValidName } from '../protocol/names.js';
import type { Extension } from '../protocol/types.js';
import { type BotRuntime, createRuntime, type RuntimeOptions } from '../runtime/create.js';
import type { ServerOptions } from '../server/options.js';
import { type RunningServer, startServer } from '../server/start.js';
import { MemoryStore } from '../store/memory.js';
import {
  type PluginStore,
  pluginStore,
  type StoreBackend,
  type StoreShape,
} from '../store/store.js';
import { timersAreFake, withRealTimeout } from './real-timers.js';
import { TestUser, type TestUserOptions } from './test-user.js';

export type {
  ExpectOptions,
  MessageMatch,
  NoMessageOptions,
  ReceivedMessage,
  TestUser,
  TestUserOptions,
} from './test-user.js';

export interface BotTestOptions {
  /** The bots under test (plugins, or entries with per-bot options). */
  bots: readonly (AnyBotPlugin | PluginEntry)[];
  /** Rooms the bot joins (or creates). Default `['lobby']`. */
  rooms?: readonly string[];
  /** The bot's username. Default: the first bot's name when it is a valid username, else `bot`. */
  username?: string;
  /** Anything else for createRuntime: prefix, presenceInterval, outbox, reconnect, logger... */
  options?: Partial<Omit<RuntimeOptions, 'server' | 'plugins' | 'rooms' | 'username'>>;
  /** Options of the embedded server, e.g. `{ extensions: false }` for a strict RFC server. */
  server?: ServerOptions;
  /** Whether the bot asks for extensions (sender, presence). Default true. */
  extensions?: boolean | readonly Extension[];
  /**
   * The plugins' store. Default: a fresh in-memory one per test. Pass a `LocalStore` on a
   * temporary directory, or the same store to a second createBotTest, to test a restart.
   * The kit does not close a store it was given.
   */
  store?: StoreBackend;
  /** Sees every plugin failure (a hook that threw, a timeout), as it happens. */
  onError?: (err: PluginError) => void;
}

export interface BotTest {
  /** The embedded server's URL (`mpcrp://127.0.0.1:PORT`). */
  readonly url: string;
  readonly port: number;
  readonly runtime: BotRuntime;
  /** The store behind every plugin's `ctx.store`. */
  readonly store: StoreBackend;
  /**
   * One plugin's store as the plugin sees it, to seed it before a test or inspect it after:
   * `await t.storeOf('karma').set('bob', 3)`.
   */
  storeOf<S extends StoreShape = StoreShape>(plugin: string): PluginStore<S>;
  /** The embedded server while it runs. */
  readonly server: RunningServer | undefined;
  /**
   * Every plugin failure so far, oldest first: hooks that threw or rejected, timers and
   * tasks that failed, hooks over their time budget. `expect(t.errors).toEqual([])`.
   */
  readonly errors: readonly PluginError[];
  /** Connects a simulated user (sender extension on by default, so `from` works). */
  user(name: string, options?: TestUserOptions): Promise<TestUser>;
  /**
   * Resolves when everything in flight has landed: plugin handlers done, the outbox empty,
   * and every relay delivered to the users. Loops until a round changes nothing. Does not
   * wait for the next presence poll; on fake timers it does not wait for a rate-limited
   * outbox either (advance the clock for those).
   */
  settle(): Promise<void>;
  /**
   * Resolves at the bot's next reconnect (rooms rejoined, user lists read). Call it before
   * stopping the server so the event cannot be missed.
   */
  reconnected(): Promise<void>;
  /** Stops the server (every connection drops); the bot starts reconnecting. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port. */
  startServer(): Promise<void>;
  /** Stops the bot, the users and the server. */
  close(): Promise<void>;
}

const SETTLE_ROUNDS = 50;

/**
 * Runs bots against a real embedded server on a free port, with simulated users.
 *
 * Fake timers: fake only timers and the clock, never `setImmediate`/`nextTick` (the server
 * flushes its writes on setImmediate, and sockets need real I/O):
 * `vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })`.
 * Then cron jobs, announcements, presence polls, outbox rate limits and reconnect backoff all
 * run on `vi.advanceTimersByTimeAsync()`, while messages still travel over real sockets.
 * `expectMessage` timeouts use real time (captured when the kit is imported), so a missing
 * message still fails with a clear error. `settle()` never waits on a timer.
 *
 * Rejects with the PluginError when a bot's setup() fails.
 *
 * @example
 * import { createBotTest } from 'mpcrp-bot/testing';
 *
 * const t = await createBotTest({ bots: [dice] });
 * const alice = await t.user('alice');
 * await alice.join('lobby');
 * await alice.say('lobby', '!roll 1d6');
 * await alice.expectMessage('lobby', /\d/, { from: 'dice' });
 * await t.close();
 */
export async function createBotTest(options: BotTestOptions): Promise<BotTest> {
  const serverOptions: ServerOptions = { closeTimeout: 200, ...options.server };
  let server: RunningServer | undefined = await startServer({
    ...serverOptions,
    host: '127.0.0.1',
    port: 0,
  });
  const { url, port } = server;
  const first = options.bots[0];
  const firstPlugin = first && toPlugin('plugin' in first ? first.plugin : first);
  const firstName = typeof firstPlugin === 'object' ? firstPlugin.name : undefined;
  const username =
    options.username ?? (firstName && isValidName('username', firstName) ? firstName : 'bot');
  const store = options.store ?? new MemoryStore();
  const errors: PluginError[] = [];
  const runtime = createRuntime({
    store,
    // Quick reconnects keep reconnect tests short; override through `options.reconnect`.
    reconnect: { initialDelay: 20, maxDelay: 200 },
    flushTimeout: 1000,
    ...options.options,
    ...(options.extensions !== undefined ? { extensions: options.extensions !== false } : {}),
    server: url,
    username,
    rooms: options.rooms ?? ['lobby'],
    plugins: options.bots,
    onPluginError: (err) => {
      errors.push(err);
      options.options?.onPluginError?.(err);
      options.onError?.(err);
    },
  });
  // A bot whose setup() failed would be silently absent: fail the test here instead.
  const [failed] = await runtime.engine.ready();
  if (failed) {
    await server.close();
    throw failed;
  }
  const users = new Set<TestUser>();

  const settle = async (): Promise<void> => {
    let last = '';
    for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
      await runtime.engine.idle();
      if (runtime.connected) {
        // On fake time a rate-limited backlog waits for the test to advance the clock.
        if (!timersAreFake()) await runtime.idle();
        // The server answers in order: once this returns it has relayed all the bot sent.
        await runtime.client?.ping().catch(() => {});
      }
      const live = [...users].filter((u) => !u.client.closed);
      await Promise.all(live.map((u) => u.client.ping().catch(() => {})));
      // Whatever the users sent has now reached the bot's socket; loop until nothing moves.
      const now = [
        runtime.dispatched,
        runtime.outboxStats.sent,
        ...live.map((u) => u.messages.length),
      ].join(',');
      if (now === last) return;
      last = now;
    }
  };

  await withRealTimeout(
    runtime.start(),
    10_000,
    () => new Error(`the bot did not connect to ${url}`),
  );
  await runtime.idle();

  return {
    url,
    port,
    runtime,
    store,
    storeOf: (plugin) => pluginStore(store, plugin),
    get server() {
      return server;
    },
    errors,
    async user(name, userOptions = {}) {
      const user = await TestUser.connect(url, name, userOptions, settle, runtime.username);
      users.add(user);
      return user;
    },
    settle,
    reconnected() {
      return new Promise((resolve) => {
        const onReady = ({ reconnected }: { reconnected: boolean }) => {
          if (!reconnected) return;
          runtime.off('ready', onReady);
          resolve();
        };
        runtime.on('ready', onReady);
      });
    },
    async stopServer() {
      const s = server;
      server = undefined;
      await s?.close();
    },
    async startServer() {
      if (server) return;
      server = await startServer({ ...serverOptions, host: '127.0.0.1', port });
    },
    async close() {
      await runtime.stop();
      await Promise.all([...users].map((u) => u.close().catch(() => {})));
      await server?.close();
      server = undefined;
    },
  };
}
