import { basename, dirname, relative } from 'node:path';
import type { PluginEntry } from '../bot/engine.js';
import { loadBotFile } from '../bot/loader.js';
import type { AnyBotPlugin } from '../bot/types.js';
import { PluginLoadError } from '../errors.js';
import type { Logger } from '../log.js';
import { isValidName } from '../protocol/names.js';
import { CliExit } from './cli-exit.js';
import { ExitCode } from './exit-codes.js';

/** One bot `run` loaded: from a file on the command line or from the config's `bots:`. */
export interface LoadedBot {
  file: string;
  entry: AnyBotPlugin | PluginEntry;
  name: string;
}

/** Loads the bots named on the command line, then the enabled ones from the config. */
export async function loadBots(
  files: readonly string[] | undefined,
  configured: ReadonlyArray<{
    path: string;
    options: Record<string, unknown>;
    enabled: boolean;
    enable?: string[];
    disable: string[];
  }>,
  keepGoing: boolean,
  logger: Logger,
): Promise<LoadedBot[]> {
  const out: LoadedBot[] = [];
  const load = async (file: string) => {
    try {
      return await loadBotFile(file);
    } catch (error) {
      if (!keepGoing || !(error instanceof PluginLoadError)) throw error;
      logger.error('bot not loaded (--keep-going)', { file, error: error.message });
      return undefined;
    }
  };
  try {
    for (const file of files ?? []) {
      const plugin = await load(file);
      if (plugin) out.push({ file, entry: plugin, name: plugin.name });
    }
    for (const bot of configured) {
      if (!bot.enabled) continue;
      const plugin = await load(bot.path);
      if (!plugin) continue;
      out.push({
        file: bot.path,
        name: plugin.name,
        entry: {
          plugin,
          options: bot.options,
          disable: bot.disable,
          ...(bot.enable ? { enable: bot.enable } : {}),
        },
      });
    }
  } catch (error) {
    if (error instanceof PluginLoadError) throw new CliExit(ExitCode.Usage, error.message);
    throw error;
  }
  return out;
}

export function roomsOf(entry: AnyBotPlugin | PluginEntry): readonly string[] | undefined {
  return 'plugin' in entry ? (entry.enable ?? entry.plugin.rooms) : entry.rooms;
}

export function defaultUsername(bots: readonly LoadedBot[]): string {
  const first = bots[0]?.name;
  if (first === undefined) return 'announcer';
  return isValidName('username', first) ? first : 'mpcrp-bot';
}

/** `--watch`: reloads a bot when its file or a project file it imports changes. */
export function watchBots(
  bots: readonly LoadedBot[],
  load: (entry: AnyBotPlugin | PluginEntry) => Promise<void>,
  logger: Logger,
): () => void {
  const byFile = new Map(bots.map((b) => [b.file, b]));
  let stop = () => {};
  void Promise.all([import('../runtime/watch.js'), import('../bot/reload-graph.js')]).then(
    ([{ watchFiles }, { importsOf }]) => {
      stop = watchFiles(
        [...byFile.keys()],
        async (file, changed) => {
          const bot = byFile.get(file)!;
          const plugin = await loadBotFile(file, { fresh: true });
          const entry = 'plugin' in bot.entry ? { ...bot.entry, plugin } : plugin;
          await load(entry);
          // Which files changed: an edit to an imported module reloads the bot that imports it.
          const why = changed.map((f) => relative(dirname(file), f) || basename(f)).join(',');
          logger.info('reloaded bot', { file, bot: plugin.name, changed: why });
        },
        logger,
        { dependencies: importsOf },
      );
      logger.info('watching bot files for changes', { files: [...byFile.keys()].join(',') });
    },
  );
  return () => stop();
}
