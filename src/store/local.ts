// The default backend: LevelDB (classic-level) in a directory on local disk.
//
// Why LevelDB and not a file of our own: its write-ahead log is checksummed per record and
// replayed on open, so a crash in the middle of a write loses at most that unacknowledged
// write and never corrupts what was there; `sync: true` puts each write on disk before the
// promise resolves, which is what "a resolved set survives kill -9" needs. classic-level ships
// N-API prebuilds for Linux, macOS and Windows inside its npm package (no download at install,
// one binary for Node 20, 22 and 24), and its LOCK file stops a second process from opening
// the same directory, which would otherwise interleave two writers.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ClassicLevel } from 'classic-level';
import { StoreError } from '../errors.js';
import { KeyLock } from './key-lock.js';
import type { StoreBackend } from './store.js';

/** The store lives in this subdirectory of the data directory, so other state can sit beside it. */
export const LOCAL_STORE_DIR = 'store';

/**
 * Values are stored as `EXPIRES\nJSON`: the expiry in epoch milliseconds, or nothing.
 * Expired keys read as missing and are deleted when next met.
 */
function pack(value: string, expires: number | undefined): string {
  return `${expires ?? ''}\n${value}`;
}

function unpack(raw: string): { value: string; expires: number | undefined } {
  const cut = raw.indexOf('\n');
  const head = raw.slice(0, cut);
  return { value: raw.slice(cut + 1), expires: head === '' ? undefined : Number(head) };
}

function expired(entry: { expires: number | undefined }): boolean {
  return entry.expires !== undefined && entry.expires <= Date.now();
}

/**
 * @example
 * const store = await LocalStore.open('/var/lib/mpcrp-bot');
 * await store.set('karma:bob', '2');
 */
export class LocalStore implements StoreBackend {
  readonly kind = 'local';
  readonly location: string;
  readonly #db: ClassicLevel<string, string>;
  readonly #lock = new KeyLock();

  private constructor(db: ClassicLevel<string, string>, location: string) {
    this.#db = db;
    this.location = location;
  }

  /** Opens (creating it when missing) the store under `dataDir`. */
  static async open(dataDir: string): Promise<LocalStore> {
    const location = path.join(path.resolve(dataDir), LOCAL_STORE_DIR);
    try {
      await mkdir(location, { recursive: true });
    } catch (error) {
      throw new StoreError(
        `cannot create the data directory ${location}: ${(error as Error).message}; pick another with --data DIR or data: in the config`,
        { cause: error },
      );
    }
    const { ClassicLevel } = await import('classic-level');
    const db = new ClassicLevel<string, string>(location, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
    try {
      await db.open();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new StoreError(
          `the store in ${location} is in use by another process; give each bot process its own --data DIR, or share one store between them with --store redis://HOST:PORT`,
          { cause: error },
        );
      }
      throw new StoreError(
        `cannot open the store in ${location}: ${cause?.message ?? (error as Error).message}`,
        { cause: error },
      );
    }
    return new LocalStore(db, location);
  }

  async get(key: string): Promise<string | undefined> {
    const raw = await this.#guard('get', () => this.#db.get(key));
    if (raw === undefined) return undefined;
    const entry = unpack(raw);
    if (!expired(entry)) return entry.value;
    this.#purge([key]);
    return undefined;
  }

  set(key: string, value: string, ttl?: number): Promise<void> {
    return this.#lock.run(key, () =>
      this.#write(key, pack(value, ttl === undefined ? undefined : Date.now() + ttl)),
    );
  }

  delete(key: string): Promise<boolean> {
    return this.#lock.run(key, async () => {
      const had = (await this.#read(key)) !== undefined;
      await this.#guard('delete', () => this.#db.del(key, { sync: true }));
      return had;
    });
  }

  update(
    key: string,
    fn: (current: string | undefined) => string | undefined | Promise<string | undefined>,
    ttl?: number,
  ): Promise<string | undefined> {
    return this.#lock.run(key, async () => {
      const old = await this.#read(key);
      const next = await fn(old?.value);
      if (next === undefined) {
        if (old !== undefined) await this.#guard('delete', () => this.#db.del(key, { sync: true }));
      } else {
        await this.#write(key, pack(next, ttl === undefined ? old?.expires : Date.now() + ttl));
      }
      return next;
    });
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const gone: string[] = [];
    await this.#guard('keys', async () => {
      // Keys sort bytewise, so those with the prefix are one run starting at the prefix.
      for await (const [key, raw] of this.#db.iterator({ gte: prefix })) {
        if (!key.startsWith(prefix)) break;
        (expired(unpack(raw)) ? gone : out).push(key);
      }
    });
    this.#purge(gone);
    return out;
  }

  /** Waits for the writes and purges under way, then closes the database. */
  async close(): Promise<void> {
    await this.#lock.idle();
    await this.#db.close();
  }

  async #read(key: string): Promise<{ value: string; expires: number | undefined } | undefined> {
    const raw = await this.#guard('get', () => this.#db.get(key));
    if (raw === undefined) return undefined;
    const entry = unpack(raw);
    return expired(entry) ? undefined : entry;
  }

  /**
   * Deletes keys found expired, so a bot that sets many short-lived keys does not fill the
   * disk. Under the key's lock, checked again there: a set since then must survive. Not
   * awaited by the reader, and not synced (a lost purge is redone when next met).
   */
  #purge(keys: readonly string[]): void {
    for (const key of keys) {
      void this.#lock
        .run(key, async () => {
          const raw = await this.#db.get(key);
          if (raw !== undefined && expired(unpack(raw))) await this.#db.del(key);
        })
        .catch(() => {});
    }
  }

  /** `sync: true`: the write is in the log on disk before this resolves. */
  #write(key: string, raw: string): Promise<void> {
    return this.#guard('set', () => this.#db.put(key, raw, { sync: true }));
  }

  async #guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new StoreError(
        `the local store in ${this.location} failed to ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
