/**
 * The plugin store (issue 13): how long a `set` takes until it has resolved, which for the
 * local store means synced to disk. Yardsticks in the same run: for the local store, an
 * append of the same bytes to a file followed by fdatasync (the least a durable write costs
 * on this disk); for Redis, a bare ioredis SET on the same server (one round trip).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { LocalStore } from '../../src/store/local.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import { type PluginStore, pluginStore } from '../../src/store/store.js';
import { type RedisServer, startRedis } from '../../test/helpers/redis-server.js';
import { naRow, type Row, type Scenario } from '../lib/row.js';
import { Histogram } from '../lib/stats.js';

/** A value like a bot keeps: a small JSON object. */
const VALUE = { count: 42, by: 'alice', at: '2026-01-01T00:00:00.000Z' };
const RAW = JSON.stringify(VALUE);

/** Latency of `ops` sequential calls of `op(i)`, in µs. */
async function time(ops: number, op: (i: number) => Promise<unknown>): Promise<Histogram> {
  for (let i = 0; i < Math.min(50, ops); i++) await op(i); // warm-up
  const h = new Histogram(2_000_000);
  for (let i = 0; i < ops; i++) {
    const t = performance.now();
    await op(i);
    h.record((performance.now() - t) * 1000);
  }
  return h;
}

const us = (h: Histogram) => `p50 ${h.quantile(0.5)} µs, p99 ${h.quantile(0.99)} µs`;

function row(
  scenario: string,
  store: Histogram,
  name: string,
  yard: Histogram,
  notes: string,
): Row {
  const value = store.quantile(0.5);
  const base = yard.quantile(0.5);
  return {
    scenario,
    status: 'ok',
    server: { value, unit: 'µs p50' },
    yardstick: { name, value: base, unit: 'µs p50' },
    ratio: value / base,
    notes: `store ${us(store)}; yardstick ${us(yard)}; ${notes}`,
  };
}

async function localRows(ops: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mpcrp-bench-store-'));
  try {
    const backend = await LocalStore.open(dir);
    const s: PluginStore = pluginStore(backend, 'bench');
    const set = await time(ops, (i) => s.set(`k:${i % 100}`, VALUE));
    const update = await time(ops, () => s.update<number>('n', (n) => (n ?? 0) + 1));
    await backend.close();
    const file = await open(join(dir, 'yardstick.log'), 'a');
    const line = Buffer.from(`bench:k:0\n${RAW}\n`);
    const fsync = await time(ops, async () => {
      await file.write(line);
      await file.datasync();
    });
    await file.close();
    const memory = pluginStore(new MemoryStore(), 'bench');
    const mem = await time(ops, (i) => memory.set(`k:${i % 100}`, VALUE));
    return [
      row('store set, local (synced)', set, 'append + fdatasync', fsync, `in memory ${us(mem)}`),
      row('store update, local (synced)', update, 'append + fdatasync', fsync, `${ops} updates`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function redisRows(ops: number): Promise<Row[]> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return [naRow('store set, Redis', 'redis-server is not installed')];
  }
  let redis: RedisServer | undefined;
  let raw: Redis | undefined;
  let backend: RedisStore | undefined;
  try {
    redis = await startRedis();
    raw = new Redis(redis.url);
    backend = await RedisStore.open(redis.url);
    const s = pluginStore(backend, 'bench');
    const set = await time(ops, (i) => s.set(`k:${i % 100}`, VALUE));
    const update = await time(ops, () => s.update<number>('n', (n) => (n ?? 0) + 1));
    const client = raw;
    const bare = await time(ops, (i) => client.set(`raw:k:${i % 100}`, RAW));
    const note = 'Redis without persistence (its durability is its own appendfsync setting)';
    return [
      row('store set, Redis', set, 'ioredis SET', bare, note),
      row('store update, Redis', update, 'ioredis SET', bare, 'GET + compare-and-set script'),
    ];
  } finally {
    await backend?.close();
    raw?.disconnect();
    await redis?.stop();
  }
}

export const storeScenario: Scenario = {
  name: 'store',
  async run(ctx) {
    const ops = ctx.smoke ? 50 : ctx.quick ? 300 : 3000;
    ctx.progress(`store: ${ops} sequential operations per backend`);
    return [...(await localRows(ops)), ...(await redisRows(ops))];
  },
};
