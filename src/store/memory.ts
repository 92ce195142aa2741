import { StoreError } from '../errors.js';
import { KeyLock } from './key-lock.js';
import type { StoreBackend } from './store.js';

interface Entry {
  value: string;
  /** Epoch ms; undefined = never. */
  expires: number | undefined;
}

/**
 * Keeps everything in this process: gone when it exits. What the testing kit gives each
 * test, and what a bot engine uses when nothing else is configured.
 *
 * @example
 * const engine = createBotEngine({ host, plugins: [karma], store: new MemoryStore() });
 */
export class MemoryStore implements StoreBackend {
  readonly kind = 'memory';
  readonly location = 'memory';
  readonly #data = new Map<string, Entry>();
  readonly #lock = new KeyLock();
  #closed = false;

  async get(key: string): Promise<string | undefined> {
    this.#open();
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    this.#open();
    await this.#lock.run(key, async () => {
      this.#data.set(key, { value, expires: ttl === undefined ? undefined : Date.now() + ttl });
    });
  }

  async delete(key: string): Promise<boolean> {
    this.#open();
    return this.#lock.run(key, async () => {
      const had = this.#live(key) !== undefined;
      this.#data.delete(key);
      return had;
    });
  }

  update(
    key: string,
    fn: (current: string | undefined) => string | undefined | Promise<string | undefined>,
    ttl?: number,
  ): Promise<string | undefined> {
    this.#open();
    return this.#lock.run(key, async () => {
      const old = this.#live(key);
      const next = await fn(old?.value);
      if (next === undefined) this.#data.delete(key);
      else {
        const expires = ttl === undefined ? old?.expires : Date.now() + ttl;
        this.#data.set(key, { value: next, expires });
      }
      return next;
    });
  }

  async keys(prefix: string): Promise<string[]> {
    this.#open();
    return [...this.#data.keys()].filter((k) => k.startsWith(prefix) && this.#live(k));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry?.expires !== undefined && entry.expires <= Date.now()) {
      this.#data.delete(key);
      return undefined;
    }
    return entry;
  }

  #open(): void {
    if (this.#closed) throw new StoreError('the memory store is closed');
  }
}
