import { describe, expect, it } from 'vitest';
import { Composer } from '../../src/bot/composer.js';

interface Ctx {
  seen: string[];
}

describe('Composer', () => {
  it('runs middleware onion style, in the order added', async () => {
    const chain = new Composer<Ctx>()
      .use(async (ctx, next) => {
        ctx.seen.push('a in');
        await next();
        ctx.seen.push('a out');
      })
      .use(async (ctx, next) => {
        ctx.seen.push('b in');
        await next();
        ctx.seen.push('b out');
      });
    const ctx: Ctx = { seen: [] };
    await chain.run(ctx, async () => {
      ctx.seen.push('last');
    });
    expect(ctx.seen).toEqual(['a in', 'b in', 'last', 'b out', 'a out']);
  });

  it('stops the chain where a middleware does not call next()', async () => {
    const ctx: Ctx = { seen: [] };
    const chain = new Composer<Ctx>(
      (c) => {
        c.seen.push('gate');
      },
      (c) => {
        c.seen.push('never');
      },
    );
    await chain.run(ctx, async () => {
      ctx.seen.push('last');
    });
    expect(ctx.seen).toEqual(['gate']);
  });

  it('rejects when next() is called twice, even if the middleware swallows the throw', async () => {
    const loud = new Composer<Ctx>(async (_ctx, next) => {
      await next();
      await next();
    });
    await expect(loud.run({ seen: [] })).rejects.toThrow(/next\(\) was called twice/);

    let runs = 0;
    const quiet = new Composer<Ctx>(async (_ctx, next) => {
      await next();
      try {
        await next();
      } catch {}
    });
    await expect(quiet.run({ seen: [] }, async () => void runs++)).rejects.toThrow(/twice/);
    expect(runs).toBe(1);
  });

  it('passes errors from later middleware up through await next()', async () => {
    const caught: unknown[] = [];
    const chain = new Composer<Ctx>(
      async (_ctx, next) => {
        try {
          await next();
        } catch (error) {
          caught.push(error);
        }
      },
      () => {
        throw new Error('boom');
      },
    );
    await chain.run({ seen: [] });
    expect(caught).toEqual([new Error('boom')]);
  });

  it('rejects (does not throw synchronously) when a middleware throws synchronously', async () => {
    const chain = new Composer<Ctx>(() => {
      throw new Error('sync');
    });
    const result = chain.run({ seen: [] });
    await expect(result).rejects.toThrow('sync');
  });

  it('nests: a composer can be middleware of another', async () => {
    const inner = new Composer<Ctx>(async (c, next) => {
      c.seen.push('inner');
      await next();
    });
    const outer = new Composer<Ctx>(inner.middleware(), (c) => {
      c.seen.push('after inner');
    });
    const ctx: Ctx = { seen: [] };
    await outer.run(ctx);
    expect(ctx.seen).toEqual(['inner', 'after inner']);
    expect(outer.size).toBe(2);
  });

  it('refuses something that is not a function', () => {
    expect(() => new Composer<Ctx>().use('nope' as never)).toThrow(/must be a function/);
  });
});
