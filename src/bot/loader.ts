import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginLoadError } from '../errors.js';
import { toPlugin, VALID_EXPORT } from './define.js';
import type { BotPlugin } from './types.js';

const TS = new Set(['.ts', '.mts']);
const JS = new Set(['.js', '.mjs']);

export interface LoadBotOptions {
  /**
   * Import a new copy instead of the cached module (for `--watch`). TypeScript files are
   * always imported fresh, with their local imports; for JavaScript only the file itself is.
   */
  fresh?: boolean;
}

let generation = 0;

/**
 * Imports a bot file — `.ts`, `.mts`, `.js` or `.mjs`, no build step — and checks its
 * default export. Throws PluginLoadError naming the file and what is wrong.
 *
 * @example
 * const dice = await loadBotFile('./bots/dice.ts');
 * const engine = createBotEngine({ host, plugins: [dice] });
 */
export async function loadBotFile(file: string, options: LoadBotOptions = {}): Promise<BotPlugin> {
  const absolute = path.resolve(file);
  const ext = path.extname(absolute).toLowerCase();
  if (!TS.has(ext) && !JS.has(ext)) {
    throw new PluginLoadError(
      file,
      `'${ext || '(none)'}' is not a bot file extension; use .ts, .mts, .js or .mjs`,
    );
  }
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) {
    throw new PluginLoadError(file, `there is no file at ${absolute}; check the path`);
  }

  let module: Record<string, unknown>;
  try {
    module = TS.has(ext) ? await importTs(absolute) : await importJs(absolute, options.fresh);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginLoadError(file, `importing it failed: ${reason}`, { cause: error });
  }

  const name = path.basename(absolute, ext);
  const plugin = toPlugin(defaultExport(module), name);
  if (typeof plugin === 'string') {
    throw new PluginLoadError(file, `${plugin}; a bot file looks like: ${VALID_EXPORT}`);
  }
  return plugin;
}

async function importTs(file: string): Promise<Record<string, unknown>> {
  // tsx is only worth its start-up cost when a TypeScript bot is actually loaded.
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(file).href, import.meta.url);
}

async function importJs(file: string, fresh = false): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file);
  if (fresh) url.search = `reload=${++generation}`;
  return import(url.href);
}

/**
 * The export a bot module offers: `default`, or — when a TypeScript file was compiled as
 * CommonJS — `default.default`, or the module itself when it exports `name` and `setup`.
 */
function defaultExport(module: Record<string, unknown>): unknown {
  const value = module.default;
  if (value !== null && typeof value === 'object' && 'default' in value && !('setup' in value)) {
    return (value as { default: unknown }).default;
  }
  if (value === undefined && typeof module.setup === 'function') return module;
  return value;
}
