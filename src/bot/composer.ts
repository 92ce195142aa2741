/** Runs the rest of the chain; resolves when everything after the caller has finished. */
export type NextFn = () => Promise<void>;

/**
 * One link of a chain: do something, call `next()` to pass the context on (await it to run
 * code after the rest), or return without calling it to stop the chain here.
 */
export type Middleware<C> = (ctx: C, next: NextFn) => unknown;

const DOUBLE_NEXT =
  'next() was called twice by the same middleware; call it at most once (usually `await next()`)';

/**
 * An ordered list of middleware run onion style: each runs in turn, around the ones after it.
 * Generic over the context so it serves plugins and anything else that needs a chain.
 *
 * @example
 * const chain = new Composer<{ text: string; seen: string[] }>()
 *   .use(async (ctx, next) => { ctx.seen.push('before'); await next(); ctx.seen.push('after'); })
 *   .use((ctx) => { ctx.seen.push(ctx.text); });
 * const ctx = { text: 'hi', seen: [] };
 * await chain.run(ctx); // ctx.seen: ['before', 'hi', 'after']
 */
export class Composer<C> {
  readonly #stack: Middleware<C>[] = [];

  constructor(...middleware: Middleware<C>[]) {
    this.use(...middleware);
  }

  /** Appends middleware (functions or other composers' `middleware()`). */
  use(...middleware: Middleware<C>[]): this {
    for (const fn of middleware) {
      if (typeof fn !== 'function') {
        throw new TypeError(`middleware must be a function (ctx, next) => ..., got ${typeof fn}`);
      }
      this.#stack.push(fn);
    }
    return this;
  }

  get size(): number {
    return this.#stack.length;
  }

  /** This chain as one middleware, to nest it in another composer. */
  middleware(): Middleware<C> {
    return (ctx, next) => this.run(ctx, next);
  }

  /**
   * Runs the chain on `ctx`; `last` runs when the final middleware calls `next()`.
   * Rejects with the first error thrown, including a second `next()` call even if the
   * middleware that made it caught the throw.
   */
  run(ctx: C, last?: NextFn): Promise<void> {
    const stack = this.#stack.slice();
    let misuse: Error | undefined;
    const step = async (i: number): Promise<void> => {
      if (i === stack.length) {
        if (last) await last();
        return;
      }
      let called = false;
      const next: NextFn = () => {
        if (called) {
          misuse ??= new Error(DOUBLE_NEXT);
          throw misuse;
        }
        called = true;
        return step(i + 1);
      };
      await stack[i]!(ctx, next);
    };
    return step(0).then(() => {
      if (misuse) throw misuse;
    });
  }
}
