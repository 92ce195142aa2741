// The "done when": karma counts bob++ twice, `run` is killed with -9 and started
// again, and `!karma bob` answers 2 — with the local store and with Redis.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, inbox, server } from '../cli/cli-harness.js';
import { type RedisServer, startRedis } from '../helpers/redis-server.js';
import { karmaRun } from './karma-run.js';

/** Says `text` as alice and resolves with the bot's next answer. */
async function ask(url: string, name: string, lines: string[]): Promise<string> {
  const alice = await client(url, name);
  await alice.joinRoom('lobby');
  const got = inbox(alice);
  for (const line of lines) alice.send('lobby', line);
  alice.send('lobby', '!karma bob');
  const [m] = await got.next(1);
  await alice.close();
  return m!.text;
}

async function survivesKill(extra: string[]) {
  const s = await server();
  const first = await karmaRun(s.url, extra);
  // The answer comes after both updates resolved: the plugin handles its events in order.
  expect(await ask(s.url, 'alice', ['bob++', 'bob++'])).toBe('bob has karma 2');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  const second = await karmaRun(s.url, extra);
  expect(await ask(s.url, 'carol', [])).toBe('bob has karma 2');
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
}

describe('karma survives kill -9 of run', () => {
  it('with the local store (--data DIR)', async () => {
    const data = mkdtempSync(join(tmpdir(), 'mpcrp-karma-'));
    await survivesKill(['--data', data]);
  });

  describe('with Redis (--store redis://)', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.stop());
    it('keeps the count in Redis', async () => {
      await survivesKill(['--store', redis.url]);
    });
  });
});
