import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { LocalStore } from '../../src/store/local.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import { DEFAULT_MAX_VALUE_BYTES, pluginStore, type StoreBackend } from '../../src/store/store.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const open: StoreBackend[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

let prefixes = 0;
const backends: Record<string, () => Promise<StoreBackend>> = {
  memory: async () => new MemoryStore(),
  local: () => LocalStore.open(mkdtempSync(join(tmpdir(), 'mpcrp-store-'))),
  // A fresh key prefix per test keeps tests apart on the one Redis of this file.
  redis: () => RedisStore.open(redis.url, { keyPrefix: `t${++prefixes}:` }),
};

async function make(kind: string): Promise<StoreBackend> {
  const s = await backends[kind]!();
  open.push(s);
  return s;
}

describe.each(Object.keys(backends))('%s backend', (kind) => {
  it('gets, sets, deletes JSON values in one namespace per plugin', async () => {
    const backend = await make(kind);
    const a = pluginStore(backend, 'a');
    const b = pluginStore(backend, 'b');
    expect(await a.get('x')).toBeUndefined();
    await a.set('x', { n: 1, list: ['ü', null] });
    await b.set('x', 2);
    expect(await a.get('x')).toEqual({ n: 1, list: ['ü', null] });
    expect(await b.get('x')).toBe(2);
    await a.set('y:1', true);
    await a.set('y:2', 'two');
    expect(await a.keys()).toEqual(['x', 'y:1', 'y:2']);
    expect(await a.keys('y:')).toEqual(['y:1', 'y:2']);
    expect(await b.keys()).toEqual(['x']);
    expect(await a.delete('x')).toBe(true);
    expect(await a.delete('x')).toBe(false);
    expect(await b.get('x')).toBe(2);
  });

  it('update is atomic under 200 concurrent hooks', async () => {
    const s = pluginStore(await make(kind), 'p');
    await Promise.all(
      Array.from({ length: 200 }, () => s.update<number>('n', async (n) => (n ?? 0) + 1)),
    );
    expect(await s.get('n')).toBe(200);
    expect(await s.update<number>('n', () => undefined)).toBeUndefined();
    expect(await s.keys()).toEqual([]);
  });

  it('refuses values JSON cannot hold and values over the size limit (at the edge)', async () => {
    const s = pluginStore(await make(kind), 'p', { maxValueBytes: 100 });
    await expect(s.set('f', () => 1)).rejects.toThrow(StoreError);
    await expect(s.set('u', undefined)).rejects.toThrow(/use delete\(\) to remove a key/);
    await expect(s.set('b', 10n)).rejects.toThrow(/not JSON/);
    const fits = 'x'.repeat(98); // 100 bytes with the quotes
    await s.set('edge', fits);
    await expect(s.set('over', `${fits}x`)).rejects.toThrow(
      /101 bytes of JSON, over the limit of 100/,
    );
    await expect(s.get('')).rejects.toThrow(/non-empty string/);
    await expect(s.set('k'.repeat(513), 1)).rejects.toThrow(/over 512 bytes/);
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(1024 * 1024);
  });

  it('rejects a ttl that is not a positive duration', async () => {
    const s = pluginStore(await make(kind), 'p');
    await expect(s.set('k', 1, { ttl: 0 })).rejects.toThrow(/ttl/);
    await expect(s.set('k', 1, { ttl: 'soon' })).rejects.toThrow(/ttl is "soon"/);
  });
});

describe.each(['memory', 'local'])('%s backend expiry', (kind) => {
  it('expires keys after their ttl; update keeps the ttl unless given one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const s = pluginStore(await make(kind), 'p');
    await s.set('short', 1, { ttl: '10s' });
    await s.set('kept', 1, { ttl: 10_000 });
    await s.update<number>('kept', (n) => (n ?? 0) + 1);
    await s.set('forever', 1);
    vi.advanceTimersByTime(9_999);
    expect(await s.get('short')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await s.get('short')).toBeUndefined();
    expect(await s.get('kept')).toBeUndefined();
    expect(await s.keys()).toEqual(['forever']);
  });
});

describe('local backend expiry', () => {
  it('deletes expired keys from disk once met, and keeps a key set again meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-expiry-'));
    const backend = await LocalStore.open(dir);
    const s = pluginStore(backend, 'p');
    for (let i = 0; i < 3; i++) await s.set(`tmp:${i}`, i, { ttl: '1m' });
    await s.set('again', 1, { ttl: '1m' });
    vi.advanceTimersByTime(60_000);
    expect(await s.keys('tmp:')).toEqual([]);
    expect(await s.get('again')).toBeUndefined();
    await s.set('again', 2);
    await backend.close();
    const db = new ClassicLevel<string, string>(join(dir, 'store'));
    try {
      expect(await db.keys().all()).toEqual(['p:again']);
    } finally {
      await db.close();
    }
  });
});

describe('redis backend', () => {
  it('sets PX, keeps it across update, and updates atomically across two clients', async () => {
    const keyPrefix = 'shared:';
    const one = await RedisStore.open(redis.url, { keyPrefix });
    const two = await RedisStore.open(redis.url, { keyPrefix });
    open.push(one, two);
    const raw = new Redis(redis.url);
    try {
      const a = pluginStore(one, 'p');
      const b = pluginStore(two, 'p');
      await a.set('t', 1, { ttl: '1h' });
      await b.update<number>('t', (n) => (n ?? 0) + 1);
      const pttl = await raw.pttl('shared:p:t');
      expect(pttl).toBeGreaterThan(3_590_000);
      expect(pttl).toBeLessThanOrEqual(3_600_000);
      // Two processes' worth of writers on one key: the compare-and-set retries the losers.
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          (i % 2 ? a : b).update<number>('n', async (n) => (n ?? 0) + 1),
        ),
      );
      expect(await a.get('n')).toBe(100);
      // Glob characters in a prefix match only themselves.
      await a.set('x*', 1);
      await a.set('xy', 1);
      expect(await a.keys('x*')).toEqual(['x*']);
    } finally {
      raw.disconnect();
    }
  });

  it('retries an update another writer raced, and gives up at updateTimeout when every race is lost', async () => {
    const keyPrefix = 'race:';
    const store = await RedisStore.open(redis.url, { keyPrefix, updateTimeout: 50 });
    open.push(store);
    const raw = new Redis(redis.url);
    try {
      const s = pluginStore(store, 'p');
      let calls = 0;
      // The first read is overtaken by another writer: the retry sees its value.
      const once = await s.update<number>('n', async (n) => {
        if (calls++ === 0) await raw.set('race:p:n', '10');
        return (n ?? 0) + 1;
      });
      expect([once, calls]).toEqual([11, 2]);
      // Another writer between every read and write: refused once 50 ms are spent.
      const started = Date.now();
      await expect(
        s.update<number>('n', async (n) => {
          await raw.incr('race:p:n');
          return (n ?? 0) + 1;
        }),
      ).rejects.toThrow(
        /update of 'p:n' gave up after \d+ attempts in 50 ms: other processes kept changing it/,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    } finally {
      raw.disconnect();
    }
  });

  it('says where it could not connect', async () => {
    await expect(RedisStore.open('redis://127.0.0.1:1', { connectTimeout: 500 })).rejects.toThrow(
      /cannot reach the store at redis:\/\/127\.0\.0\.1:1/,
    );
  });
});

describe('local backend durability', () => {
  it('keeps every acknowledged write of a process killed with -9 mid-write, uncorrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-crash-'));
    const local = fileURLToPath(new URL('../../dist/store/local.js', import.meta.url));
    // Writes as fast as it can and prints each index once its set() resolved.
    const script = `
      const { LocalStore } = await import(${JSON.stringify(local)});
      const s = await LocalStore.open(${JSON.stringify(dir)});
      const pad = 'x'.repeat(2000);
      for (let i = 0; ; i++) { await s.set('k:' + i, JSON.stringify({ i, pad })); process.stdout.write(i + '\\n'); }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let acked = -1;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const lines = out.split('\n');
        acked = Number(lines.at(-2) ?? -1);
        if (acked >= 300) resolve();
      });
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const s = await LocalStore.open(dir);
    open.push(s);
    for (let i = 0; i <= acked; i++) {
      const text = await s.get(`k:${i}`);
      expect(text, `k:${i}`).toBeDefined();
      expect(JSON.parse(text!).i).toBe(i);
    }
    const keys = await s.keys('k:');
    expect(keys.length).toBeGreaterThanOrEqual(acked + 1);
    // Whatever else made it to disk (at most the write in flight) is whole too.
    for (const k of keys) expect(JSON.parse((await s.get(k))!).pad).toHaveLength(2000);
  });
});
