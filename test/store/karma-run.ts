// `mpcrp-bot run bots/karma.ts` in the lobby of `url`, as the store's CLI tests start it.
import { fileURLToPath } from 'node:url';
import { start } from '../cli/cli-harness.js';

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
