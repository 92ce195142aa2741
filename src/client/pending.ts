import { TimeoutError } from '../errors.js';

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Outstanding requests keyed by what their response will carry (type and room ID).
 * The same request outstanding twice is answered first-in, first-out; a response nobody
 * waits for is unsolicited or a duplicate, which the RFC says to discard.
 */
export class PendingRequests {
  #waiting = new Map<string, Waiter<unknown>[]>();

  get size(): number {
    let n = 0;
    for (const q of this.#waiting.values()) n += q.length;
    return n;
  }

  /** Registers a waiter; `timeoutMs` of 0 or less waits forever. */
  wait<T>(key: string, operation: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<unknown> = {
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
      };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.#remove(key, waiter);
          reject(new TimeoutError(operation, timeoutMs));
        }, timeoutMs);
      }
      const queue = this.#waiting.get(key);
      if (queue) queue.push(waiter);
      else this.#waiting.set(key, [waiter]);
    });
  }

  /** Hands `value` to the oldest waiter on `key`; false when nobody waits (discard it). */
  settle(key: string, value: unknown): boolean {
    const waiter = this.#take(key);
    if (!waiter) return false;
    waiter.resolve(value);
    return true;
  }

  has(key: string): boolean {
    return (this.#waiting.get(key)?.length ?? 0) > 0;
  }

  /** Fails every waiter, e.g. when the connection closes. */
  rejectAll(error: Error): void {
    const all = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    for (const w of all) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  #take(key: string): Waiter<unknown> | undefined {
    const queue = this.#waiting.get(key);
    const waiter = queue?.shift();
    if (queue && queue.length === 0) this.#waiting.delete(key);
    if (waiter) clearTimeout(waiter.timer);
    return waiter;
  }

  #remove(key: string, waiter: Waiter<unknown>): void {
    const queue = this.#waiting.get(key);
    if (!queue) return;
    const i = queue.indexOf(waiter);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) this.#waiting.delete(key);
  }
}
