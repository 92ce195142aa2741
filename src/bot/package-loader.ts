// Bots published as npm packages (`mpcrp-bot run mpcrp-bot-karma`, or `bots: [mpcrp-bot-karma]`),
// resolved from the project like Hubot's external scripts: node_modules of the directory
// given, then of each parent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isPackageSpec } from '../config/bot-spec.js';
import { PluginLoadError } from '../errors.js';
import { type LoadBotOptions, loadBotFile } from './loader.js';
import type { BotPlugin } from './types.js';

/**
 * The bot file of an installed package: `"mpcrp-bot": { "bot": "./dist/bot.js" }` in its
 * package.json, else its main export (`exports["."]`, then `main`, then `index.js`).
 */
export function resolveBotPackage(name: string, from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    const root = path.join(dir, 'node_modules', name);
    const manifest = path.join(root, 'package.json');
    if (existsSync(manifest)) return path.resolve(root, entryOf(name, manifest));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new PluginLoadError(
    name,
    `no package '${name}' is installed in ${path.resolve(from)} or above it; install it (npm install ${name}) or give a bot file path`,
  );
}

function entryOf(name: string, manifest: string): string {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new PluginLoadError(name, `cannot read ${manifest}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const own = (pkg['mpcrp-bot'] as { bot?: unknown } | undefined)?.bot;
  if (own !== undefined) {
    if (typeof own === 'string') return own;
    throw new PluginLoadError(
      name,
      `"mpcrp-bot".bot in ${manifest} must be a path to the bot file`,
    );
  }
  return exportOf(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
}

/** The file `import 'pkg'` would load, from the usual shapes of `exports`. */
function exportOf(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (exports === null || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  const main = '.' in map ? map['.'] : map;
  if (typeof main === 'string') return main;
  if (main !== null && typeof main === 'object') {
    const c = main as Record<string, unknown>;
    for (const key of ['import', 'default', 'node']) {
      const v = exportOf(c[key]);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** Where a bot spec (file path or package name) points, resolved from `from`. */
export function resolveBotSpec(spec: string, from: string): string {
  return isPackageSpec(spec, from) ? resolveBotPackage(spec, from) : path.resolve(from, spec);
}

/**
 * Loads a bot from a file path or an installed npm package name, resolved from `from`
 * (default the working directory).
 *
 * @example
 * const karma = await loadBot('mpcrp-bot-karma', { from: projectDir });
 */
export async function loadBot(
  spec: string,
  options: LoadBotOptions & { from?: string } = {},
): Promise<BotPlugin> {
  const from = options.from ?? process.cwd();
  return loadBotFile(resolveBotSpec(spec, from), options);
}
