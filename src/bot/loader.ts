import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginLoadError } from '../errors.js';
import { toPlugin, VALID_EXPORT } from './define.js';
import { adoptModule, inModuleFrame } from './plugin-scope.js';
import { forgetCommonJs, RELOAD_PARAM, trackImports } from './reload-graph.js';
import type { BotPlugin } from './types.js';

const TS = new Set(['.ts', '.mts']);
const JS = new Set(['.js', '.mjs']);

export interface LoadBotOptions {
  /**
   * Import a new copy of the file instead of the cached module (for `--watch`). The project
   * files it imports are re-read too when {@link enableReloads} ran before the first load;
   * packages (node_modules, mpcrp-bot) stay cached.
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
  // In a frame of its own: a timer its top level starts and that throws later is then
  // this bot's fault (the safety net unloads it), not a crash of unknown origin.
  const importing = inModuleFrame(file, () =>
    importModule(absolute, TS.has(ext), options.fresh ?? false),
  );
  try {
    module = await importing;
  } catch (error) {
    throw new PluginLoadError(file, importFailure(error, absolute), { cause: error });
  }

  const name = path.basename(absolute, ext);
  const plugin = toPlugin(defaultExport(module), name);
  if (typeof plugin === 'string') {
    throw new PluginLoadError(file, `${plugin}; a bot file looks like: ${VALID_EXPORT}`);
  }
  adoptModule(importing.frame, plugin, plugin.name);
  return plugin;
}

/**
 * What went wrong importing a bot, in one line. A missing package is the common case for a
 * bot file kept outside any project: Node's message names it but then lists a require stack
 * over several lines, and says nothing about what to do.
 */
function importFailure(error: unknown, absolute: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    const specifier = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1];
    // A package's own missing dependency is a broken install, not the bot's to fix.
    const importer =
      /imported from (.+)$/m.exec(message)?.[1] ??
      (error as { requireStack?: string[] }).requireStack?.[0];
    const fromPackage = importer?.split(path.sep).includes('node_modules') ?? false;
    const pkg = specifier === undefined || fromPackage ? undefined : packageName(specifier);
    const dir = path.dirname(absolute);
    if (pkg === 'mpcrp-bot') {
      return (
        `it imports 'mpcrp-bot', which is not installed where the file is; run \`npm i mpcrp-bot\` in ${dir}, ` +
        "or export a plain object that needs no import: export default { name: 'my-bot', setup(bot) { ... } }"
      );
    }
    if (pkg !== undefined) {
      return `it imports '${specifier}', which is not installed where the file is; run \`npm i ${pkg}\` in ${dir}`;
    }
  }
  // Node's messages for a missing module go on with a require stack: the first line says it.
  return `importing it failed: ${message.split('\n')[0]}`;
}

/** The package a bare specifier names (`yaml`, `@scope/pkg/sub` -> `@scope/pkg`), else undefined. */
function packageName(specifier: string): string | undefined {
  if (/^(?:\.{1,2}(?:\/|$)|\/|[a-z]+:)/i.test(specifier) || path.isAbsolute(specifier)) {
    return undefined;
  }
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

let tsxReady: Promise<unknown> | undefined;

const registerTsx = () => {
  tsxReady ??= Promise.all([
    import('tsx/esm/api').then(({ register }) => register()),
    import('tsx/cjs/api').then(({ register }) => register()),
  ]);
  return tsxReady;
};

/**
 * Makes `loadBotFile(file, { fresh: true })` re-read the project modules a bot imports, and
 * records them (see `importsOf`) so `--watch` can watch them. Call before loading the bots.
 */
export async function enableReloads(): Promise<void> {
  // After tsx, so the hook sees the .ts files tsx resolves.
  await registerTsx();
  trackImports();
}

/**
 * tsx is registered once, process-wide (ESM and CommonJS hooks: a .ts file outside a
 * `"type": "module"` package is compiled as CommonJS), and only when a TypeScript bot is
 * loaded. A scoped `tsImport` would give each bot its own copy of 'mpcrp-bot', so
 * `err instanceof NotMemberError` in a bot would never match the runtime's errors.
 */
async function importModule(
  file: string,
  ts: boolean,
  fresh: boolean,
): Promise<Record<string, unknown>> {
  if (ts) await registerTsx();
  const url = pathToFileURL(file);
  if (fresh) {
    // A query makes ESM load anew; a file run as CommonJS is also cached by path.
    forgetCommonJs(file);
    url.searchParams.set(RELOAD_PARAM, String(++generation));
  }
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
