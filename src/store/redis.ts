// The shared backend: every `run` process pointed at the same Redis sees the same keys.
import type { Redis } from 'ioredis';
import { StoreError } from '../errors.js';
import { KeyLock } from './key-lock.js';
import type { StoreBackend } from './store.js';

/**
 * Compare-and-set for `update`: writes only when the key still holds what `fn` was given
 * (ARGV[1] '1' with the old text in ARGV[2], or '0' for "missing"). Runs atomically inside
 * Redis, so it is safe across processes without holding a WATCH on a shared connection.
 * ARGV[3] 'set' or 'del'; ARGV[4] the new text; ARGV[5] the TTL in ms, or '' to keep the
 * current one (KEEPTTL, Redis 6.0+).
 */
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if ARGV[3] == 'del' then
  redis.call('DEL', KEYS[1])
elseif ARGV[5] ~= '' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
end
return 1
`;

/**
 * How long an update keeps retrying while other processes write the key between its read
 * and its write. Each lost race means another writer's update went through, so a loser
 * only waits for the others' work; a count of attempts gave up on a slow process that a
 * faster one kept beating (seen under CPU load with two writers of one key).
 */
export const DEFAULT_UPDATE_TIMEOUT = 10_000;
/** After the n-th lost race an update waits a random 0..min(this, 2^n) ms (full jitter). */
const MAX_RETRY_DELAY = 50;

export interface RedisStoreOptions {
  /** Put before every key, so one Redis can hold several deployments. Default `mpcrp-bot:`. */
  keyPrefix?: string;
  /** Milliseconds to wait for the first connection. Default 10,000. */
  connectTimeout?: number;
  /** Milliseconds an `update` may spend losing races to other writers. Default 10,000. */
  updateTimeout?: number;
}

type CasRedis = Redis & {
  mpcrpCas(
    key: string,
    had: string,
    old: string,
    op: string,
    value: string,
    ttl: string,
  ): Promise<number>;
};

/** Drops a password from a URL for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * @example
 * const store = await RedisStore.open('redis://127.0.0.1:6379');
 */
export class RedisStore implements StoreBackend {
  readonly kind = 'redis';
  readonly location: string;
  readonly #redis: CasRedis;
  readonly #prefix: string;
  readonly #lock = new KeyLock();
  readonly #updateTimeout: number;

  private constructor(redis: CasRedis, location: string, options: RedisStoreOptions) {
    this.#redis = redis;
    this.location = location;
    this.#prefix = options.keyPrefix ?? 'mpcrp-bot:';
    this.#updateTimeout = options.updateTimeout ?? DEFAULT_UPDATE_TIMEOUT;
  }

  /** Connects to `url` (`redis://[:password@]host:port[/db]` or `rediss://`). */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const location = redactUrl(url);
    const { Redis } = await import('ioredis');
    let connected = false;
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeout ?? 10_000,
      // The first connect fails at once (run exits 3 and says why); after a later drop it
      // reconnects, backing off to one attempt every 2 s.
      retryStrategy: (times) => (connected ? Math.min(times * 200, 2000) : null),
      // ioredis arms this timer even for a refused connect, and it holds the process open:
      // an unreachable Redis at start would keep `run` from exiting for its default 2 s.
      disconnectTimeout: 250,
    }) as CasRedis;
    redis.defineCommand('mpcrpCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
    // connect() only says "Connection is closed"; the 'error' before it says why.
    let first: Error | undefined;
    // ioredis logs unhandled 'error' events to the console; reconnects are its business.
    redis.on('error', (error: Error) => {
      first ??= error;
    });
    try {
      await redis.connect();
      await redis.ping();
      connected = true;
    } catch (error) {
      redis.disconnect();
      const reason = (first ?? (error as Error)).message;
      throw new StoreError(
        `cannot reach the store at ${location}: ${reason}; is Redis running there?`,
        {
          cause: first ?? error,
        },
      );
    }
    return new RedisStore(redis, location, options);
  }

  async get(key: string): Promise<string | undefined> {
    const v = await this.#guard('get', () => this.#redis.get(this.#prefix + key));
    return v ?? undefined;
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    const k = this.#prefix + key;
    await this.#guard('set', () =>
      ttl === undefined ? this.#redis.set(k, value) : this.#redis.set(k, value, 'PX', ttl),
    );
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#guard('delete', () => this.#redis.del(this.#prefix + key))) > 0;
  }

  update(
    key: string,
    fn: (current: string | undefined) => string | undefined | Promise<string | undefined>,
    ttl?: number,
  ): Promise<string | undefined> {
    const k = this.#prefix + key;
    // The local lock spares this process's own hooks the retries; the script covers the rest.
    return this.#lock.run(key, async () => {
      const deadline = Date.now() + this.#updateTimeout;
      for (let lost = 0; ; lost += 1) {
        const old = (await this.#guard('get', () => this.#redis.get(k))) ?? undefined;
        const next = await fn(old);
        const done = await this.#guard('update', () =>
          this.#redis.mpcrpCas(
            k,
            old === undefined ? '0' : '1',
            old ?? '',
            next === undefined ? 'del' : 'set',
            next ?? '',
            ttl === undefined ? '' : String(ttl),
          ),
        );
        if (done === 1) return next;
        if (Date.now() >= deadline) {
          throw new StoreError(
            `update of '${key}' gave up after ${lost + 1} attempts in ${this.#updateTimeout} ms: other processes kept changing it between its read and its write`,
          );
        }
        await delay(Math.random() * Math.min(MAX_RETRY_DELAY, 2 ** lost));
      }
    });
  }

  async keys(prefix: string): Promise<string[]> {
    const match = `${escapeGlob(this.#prefix + prefix)}*`;
    const out = new Set<string>();
    await this.#guard('keys', async () => {
      let cursor = '0';
      do {
        const [next, batch] = await this.#redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
        for (const k of batch) out.add(k.slice(this.#prefix.length));
        cursor = next;
      } while (cursor !== '0');
    });
    return [...out];
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new StoreError(
        `the Redis store at ${this.location} failed to ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Escapes Redis glob characters so a key prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
