import type { StoreBackend } from './store.js';

/**
 * Opens a backend on first use. `run` opens the local store this way, so bots that never
 * touch `ctx.store` never take the data directory's lock (two such `run`s may share it), and
 * an unusable directory is reported by the first store call that needs it.
 */
export class LazyStore implements StoreBackend {
  readonly kind: string;
  readonly location: string;
  readonly #open: () => Promise<StoreBackend>;
  #backend: Promise<StoreBackend> | undefined;

  constructor(kind: string, location: string, open: () => Promise<StoreBackend>) {
    this.kind = kind;
    this.location = location;
    this.#open = open;
  }

  /** Whether the backend was opened (by a call, or by {@link ready}). */
  get opened(): boolean {
    return this.#backend !== undefined;
  }

  /** Opens now; rejects with the backend's error (a failed open is retried on the next call). */
  ready(): Promise<StoreBackend> {
    if (this.#backend === undefined) {
      const opening = this.#open();
      this.#backend = opening;
      opening.catch(() => {
        if (this.#backend === opening) this.#backend = undefined;
      });
    }
    return this.#backend;
  }

  async get(key: string) {
    return (await this.ready()).get(key);
  }
  async set(key: string, value: string, ttl?: number) {
    return (await this.ready()).set(key, value, ttl);
  }
  async delete(key: string) {
    return (await this.ready()).delete(key);
  }
  async update(
    key: string,
    fn: (current: string | undefined) => string | undefined | Promise<string | undefined>,
    ttl?: number,
  ) {
    return (await this.ready()).update(key, fn, ttl);
  }
  async keys(prefix: string) {
    return (await this.ready()).keys(prefix);
  }
  async close(): Promise<void> {
    const backend = this.#backend;
    this.#backend = undefined;
    if (backend) await (await backend.catch(() => undefined))?.close();
  }
}
