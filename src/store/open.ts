import os from 'node:os';
import path from 'node:path';
import { StoreError } from '../errors.js';
import type { StoreBackend } from './store.js';

export interface OpenStoreOptions {
  /** `redis://...` / `rediss://...` for Redis, `memory` for none; default the local store. */
  url?: string;
  /** Data directory of the local store (absolute, or relative to the working directory). */
  dataDir: string;
  /** Open the local store on its first use (see LazyStore). Default false. */
  lazy?: boolean;
}

/**
 * The default data directory when neither `--data` nor `data:` says one: beside the config
 * file (`.mpcrp-bot/` in its directory) when there is one, so a project keeps its state with
 * it; else `$XDG_DATA_HOME/mpcrp-bot/USER` (`~/.local/share/mpcrp-bot/USER`), one per bot
 * username so two bots on one machine never fight over the same directory.
 */
export function defaultDataDir(
  configFile: string | undefined,
  username: string,
  env: Record<string, string | undefined> = process.env,
): string {
  if (configFile !== undefined) return path.join(path.dirname(configFile), '.mpcrp-bot');
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'mpcrp-bot', username);
}

/** Why `url` cannot name a store, or undefined when it can. */
export function storeUrlProblem(url: string): string | undefined {
  if (url === 'local' || url === 'memory') return undefined;
  if (/^rediss?:\/\/[^\s]+$/.test(url)) return undefined;
  return `is ${JSON.stringify(url)}, not a store URL`;
}

export const STORE_URL_EXPECTED = "redis://HOST:PORT, rediss://HOST:PORT, 'local' or 'memory'";

/**
 * Opens the store a bot process uses: Redis for a `redis://` URL, else the local store in
 * `dataDir`. Backends load only when used (ioredis, the LevelDB binding).
 *
 * @example
 * const store = await openStore({ dataDir: defaultDataDir(undefined, 'karma-bot') });
 */
export async function openStore(options: OpenStoreOptions): Promise<StoreBackend> {
  const url = options.url ?? 'local';
  const problem = storeUrlProblem(url);
  if (problem !== undefined)
    throw new StoreError(`store ${problem} (expected ${STORE_URL_EXPECTED})`);
  if (url === 'memory') {
    const { MemoryStore } = await import('./memory.js');
    return new MemoryStore();
  }
  if (url === 'local') {
    const { LocalStore, LOCAL_STORE_DIR } = await import('./local.js');
    if (!options.lazy) return LocalStore.open(options.dataDir);
    const { LazyStore } = await import('./lazy.js');
    const where = path.join(path.resolve(options.dataDir), LOCAL_STORE_DIR);
    return new LazyStore('local', where, () => LocalStore.open(options.dataDir));
  }
  const { RedisStore } = await import('./redis.js');
  return RedisStore.open(url);
}
