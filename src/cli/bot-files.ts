import { basename, dirname, relative } from 'node:path';
import type { PluginEntry } from '../bot/engine.js';
import { loadBotFile } from '../bot/loader.js';
import { resolveBotSpec } from '../bot/package-loader.js';
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

/**
 * Loads the bots named on the command line, then the enabled ones from the config. Each is a
 * file path or an npm package name; packages resolve from the project (the working directory
 * for arguments, `configDir` for `bots:`), and files keep their resolved path so --watch
 * watches the file that was loaded.
 */
export async function loadBots(
  files: readonly string[] | undefined,
  configured: ReadonlyArray<{
    path: string;
    options: Record<string, unknown>;
    enabled: boolean;
    enable?: string[];
    disable: string[];
  }>,
  configDir: string,
  keepGoing: boolean,
  logger: Logger,
): Promise<LoadedBot[]> {
  const out: LoadedBot[] = [];
  const load = async (spec: string, dir: string) => {
    try {
      const file = resolveBotSpec(spec, dir);
      return { file, plugin: await loadBotFile(file) };
    } catch (error) {
      if (!keepGoing || !(error instanceof PluginLoadError)) throw error;
      logger.error('bot not loaded (--keep-going)', { file: spec, error: error.message });
      return undefined;
    }
  };
  try {
    for (const spec of files ?? []) {
      const loaded = await load(spec, process.cwd());
      if (loaded) out.push({ file: loaded.file, entry: loaded.plugin, name: loaded.plugin.name });
    }
    for (const bot of configured) {
      if (!bot.enabled) continue;
      const loaded = await load(bot.path, configDir);
      if (!loaded) continue;
      const { file, plugin } = loaded;
      out.push({
        file,
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
