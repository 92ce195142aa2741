import path from 'node:path';
import type { Settings } from '../config/resolve.js';
import { StoreError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BotRuntime } from '../runtime/create.js';
import type { StoreBackend } from '../store/store.js';
import { CliExit } from './cli-exit.js';
import { ExitCode } from './exit-codes.js';

/**
 * The store `run` gives its bots: `--store` over `store:`, and for the local store `--data`
 * (against the working directory) over `data:` (against the config file) over the default
 * directory. An unreachable Redis exits 3; a bad URL or directory exits 2.
 */
export async function openBotStore(
  flags: { store: string | undefined; data: string | undefined },
  settings: Settings,
  username: string,
  logger: Logger,
): Promise<StoreBackend> {
  const { defaultDataDir, openStore } = await import('../store/open.js');
  const url = flags.store ?? settings.store ?? 'local';
  const dataDir =
    flags.data !== undefined
      ? path.resolve(flags.data)
      : (settings.data ?? defaultDataDir(settings.configFile, username));
  try {
    // The local store is opened on first use: bots that keep nothing never lock the directory.
    const store = await openStore({ url, dataDir, lazy: true });
    logger.info('store', { kind: store.kind, at: store.location });
    return store;
  } catch (error) {
    if (error instanceof StoreError) {
      const code = url.startsWith('redis') ? ExitCode.CannotConnect : ExitCode.Usage;
      throw new CliExit(code, error.message);
    }
    throw error;
  }
}

/**
 * Warns once connected when the server names nobody (no `sender` extension) and some loaded
 * command is guarded: every such command will be refused.
 */
export function warnWithoutSender(runtime: BotRuntime, prefix: string, logger: Logger): void {
  runtime.once('ready', () => {
    if (runtime.extensions.has('sender')) return;
    const guarded = runtime.engine.commands().filter((c) => c.allow !== undefined);
    if (guarded.length === 0) return;
    logger.warn(
      "the server grants no 'sender' extension, so nobody can be identified: every guarded command is refused",
      { commands: guarded.map((c) => prefix + c.name).join(',') },
    );
  });
}
