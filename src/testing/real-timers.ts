// Captured when the kit is first imported, before a test can install fake timers, so the
// kit's own timeouts keep working under vi.useFakeTimers().
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** Rejects with `error()` after `ms` of real time unless `work` settles first. */
export function withRealTimeout<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(error()), ms);
    work.then(
      (value) => {
        realClearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        realClearTimeout(timer);
        reject(cause);
      },
    );
  });
}

/** True while a fake-timer library has replaced setTimeout (e.g. vi.useFakeTimers()). */
export function timersAreFake(): boolean {
  return globalThis.setTimeout !== realSetTimeout;
}
