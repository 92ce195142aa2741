// `mpcrp-bot run bots/karma.ts` as the store's CLI tests start it, and the issue's "done
// when": karma counts bob++ twice, `run` is killed with -9 and started again, and
// `!karma bob` answers 2.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { client, inbox, server, start } from '../cli/cli-harness.js';

export const KARMA = fileURLToPath(new URL('../../bots/karma.ts', import.meta.url));

/** Starts run with karma and resolves once it is in the lobby. */
export async function karmaRun(url: string, extra: string[], cwd?: string) {
  const bot = start(
    ['run', KARMA, '--server', url, '--room', 'lobby', ...extra],
    cwd ? { cwd } : {},
  );
  await bot.waitForStderr(/(created|joined) room room=lobby/);
  return bot;
}

/** Says `lines` as `name`, then `!karma bob`, and resolves with the bot's answer. */
export async function askKarma(url: string, name: string, lines: string[]): Promise<string> {
  const user = await client(url, name);
  await user.joinRoom('lobby');
  const got = inbox(user);
  for (const line of lines) user.send('lobby', line);
  user.send('lobby', '!karma bob');
  const [m] = await got.next(1);
  await user.close();
  return m!.text;
}

/** bob++ twice, kill -9, start again: `!karma bob` must still answer 2. */
export async function survivesKill(extra: string[]): Promise<void> {
  const s = await server();
  const first = await karmaRun(s.url, extra);
  // The answer comes after both updates resolved: the plugin handles its events in order.
  expect(await askKarma(s.url, 'alice', ['bob++', 'bob++'])).toBe('bob has karma 2');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  const second = await karmaRun(s.url, extra);
  expect(await askKarma(s.url, 'carol', [])).toBe('bob has karma 2');
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
}
