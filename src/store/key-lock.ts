/**
 * Runs tasks one at a time per key, in call order; different keys run side by side. This is
 * what makes `update` atomic inside one process: the read and the write of one update never
 * interleave with another update of the same key.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    // Forget the key once nothing is queued behind this task, so the map stays small.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves once no task is queued or running, including tasks queued meanwhile. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
  }

  /** Keys with work queued or running (tests). */
  get size(): number {
    return this.#tails.size;
  }
}
