// The plugin store: one key-value space per plugin, JSON values, on a backend that can be
// memory (tests), the local disk (the default) or Redis (shared by several processes).
// Backends deal in strings under full keys; PluginStore adds the namespace, JSON and types.
import { durationProblem, parseDuration } from '../config/duration.js';
import { StoreError } from '../errors.js';

/** A value or a promise of it. */
type Awaitable<T> = T | Promise<T>;

/**
 * What a backend implements. Keys arrive already namespaced, values already JSON text.
 * `update` must be atomic for its key against every other writer of the same backend
 * (other hooks of this process and, for shared backends, other processes).
 */
export interface StoreBackend {
  /** `local`, `memory`, `redis`: for logs. */
  readonly kind: string;
  /** Where the data lives, for logs (a directory, a URL without password). */
  readonly location: string;
  get(key: string): Promise<string | undefined>;
  /** `ttl` in milliseconds; without it the key never expires. */
  set(key: string, value: string, ttl?: number): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Replaces the value with `fn(current)` atomically; `undefined` from `fn` deletes the key.
   * Without `ttl` an existing expiry is kept. Resolves with what was written.
   */
  update(
    key: string,
    fn: (current: string | undefined) => Awaitable<string | undefined>,
    ttl?: number,
  ): Promise<string | undefined>;
  /** Live keys that start with `prefix`, in no particular order. */
  keys(prefix: string): Promise<string[]>;
  /** Flushes and releases the backend; further calls reject. */
  close(): Promise<void>;
}

/** A plugin's declared store layout: key (or template-literal key pattern) to value type. */
export type StoreShape = Record<string, unknown>;

type Key<S> = keyof S & string;

export interface SetOptions {
  /** Expire the key after this long: milliseconds, or a duration such as `'10m'`, `'1h'`. */
  ttl?: number | string;
}

/**
 * `ctx.store` and `bot.store`: this plugin's keys only. Values are JSON (what
 * `JSON.stringify` keeps: a `Date` comes back as its ISO string).
 *
 * Typed with `defineBot<Options, Shape>`, so `bot.store.get('count')` has the type the shape
 * gives `count`; `ctx.store.get<number>('count')` types one call.
 *
 * @example
 * const hits = await ctx.store.update<number>('hits', (n) => (n ?? 0) + 1);
 * await ctx.store.set('last', { at: Date.now() }, { ttl: '1h' });
 * for (const key of await ctx.store.keys('karma:')) console.log(key);
 */
export interface PluginStore<S extends StoreShape = StoreShape> {
  get<T = never, K extends Key<S> = Key<S>>(key: K): Promise<Value<T, S, K> | undefined>;
  set<T = never, K extends Key<S> = Key<S>>(
    key: K,
    value: Value<NoInfer<T>, S, K>,
    options?: SetOptions,
  ): Promise<void>;
  /** True when the key existed. */
  delete(key: Key<S>): Promise<boolean>;
  /**
   * Atomic read-modify-write: `fn` gets the current value (or `undefined`) and returns the
   * new one (`undefined` deletes). Concurrent updates of a key run one after the other, in
   * this process and, on Redis, across processes. Keep `fn` short: it may run again when
   * another process wrote the key meanwhile (Redis).
   */
  update<T = never, K extends Key<S> = Key<S>>(
    key: K,
    fn: (
      current: Value<NoInfer<T>, S, K> | undefined,
    ) => Awaitable<Value<NoInfer<T>, S, K> | undefined>,
    options?: SetOptions,
  ): Promise<Value<T, S, K> | undefined>;
  /** This plugin's keys that start with `prefix` (default: all of them), sorted. */
  keys(prefix?: string): Promise<string[]>;
}

/**
 * An explicit type argument wins; otherwise the shape's type for the key. (`NoInfer` at the
 * call sites: a value must not pick T itself, or any value would pass for a typed key.)
 */
type Value<T, S, K extends keyof S> = [T] extends [never] ? S[K] : T;

export interface PluginStoreOptions {
  /** Largest JSON value accepted, in bytes. Default 1 MiB. */
  maxValueBytes?: number;
}

export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
/** Longest key, in bytes (Redis and LevelDB take far more; logs and scans should not). */
export const MAX_KEY_BYTES = 512;

/**
 * The store one plugin sees: its name is the namespace. Plugin names cannot contain ':'
 * (see PLUGIN_NAME), so `name:` prefixes never overlap.
 */
export function pluginStore<S extends StoreShape = StoreShape>(
  backend: StoreBackend,
  plugin: string,
  options: PluginStoreOptions = {},
): PluginStore<S> {
  const ns = `${plugin}:`;
  const maxValue = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const full = (key: unknown): string => `${ns}${checkKey(plugin, key)}`;
  const encode = (key: string, value: unknown): string => encodeValue(plugin, key, value, maxValue);
  const store: PluginStore<StoreShape> = {
    async get(key) {
      const text = await backend.get(full(key));
      return text === undefined ? undefined : (JSON.parse(text) as never);
    },
    async set(key, value, opts) {
      const k = full(key);
      await backend.set(k, encode(key, value), ttlOf(opts));
    },
    delete: (key) => backend.delete(full(key)),
    async update(key, fn, opts) {
      const written = await backend.update(
        full(key),
        async (text) => {
          const next = await fn(text === undefined ? undefined : (JSON.parse(text) as never));
          return next === undefined ? undefined : encode(key, next);
        },
        ttlOf(opts),
      );
      return written === undefined ? undefined : (JSON.parse(written) as never);
    },
    async keys(prefix = '') {
      if (typeof prefix !== 'string') throw new StoreError('keys(prefix): prefix must be a string');
      const found = await backend.keys(`${ns}${prefix}`);
      return found.map((k) => k.slice(ns.length)).sort();
    },
  };
  return store as unknown as PluginStore<S>;
}

function checkKey(plugin: string, key: unknown): string {
  if (typeof key !== 'string' || key === '') {
    throw new StoreError(`${plugin}: a store key must be a non-empty string (got ${typeof key})`);
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new StoreError(
      `${plugin}: store key is over ${MAX_KEY_BYTES} bytes: ${key.slice(0, 40)}…`,
    );
  }
  return key;
}

function encodeValue(plugin: string, key: string, value: unknown, max: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new StoreError(`${plugin}: the value for '${key}' is not JSON: ${String(error)}`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new StoreError(
      `${plugin}: the value for '${key}' is ${typeof value}, which JSON cannot hold; use delete() to remove a key`,
    );
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > max) {
    throw new StoreError(
      `${plugin}: the value for '${key}' is ${bytes} bytes of JSON, over the limit of ${max}`,
    );
  }
  return text;
}

function ttlOf(options: SetOptions | undefined): number | undefined {
  const ttl = options?.ttl;
  if (ttl === undefined) return undefined;
  const problem = durationProblem(ttl);
  const ms = problem === undefined ? parseDuration(ttl) : Number.NaN;
  if (!(ms > 0)) {
    throw new StoreError(
      `ttl ${problem ?? `is ${JSON.stringify(ttl)}`}: expected milliseconds > 0 or a duration such as '10m'`,
    );
  }
  return ms;
}
