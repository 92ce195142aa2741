// No static YAML or node:fs/promises import here: the parser and the file reader are loaded
// only once a config file is found, and most CLI runs have none.
import { isAbsolute, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import { type FindConfigFileOptions, findConfigFile } from './find.js';
import { type ResolveFlags, resolveSettings, type Settings } from './resolve.js';
import type { Config } from './types.js';

export interface ReadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Messages name the file relative to this directory when it lies inside; default cwd. */
  cwd?: string;
}

/**
 * Reads, parses and validates one config file. Throws {@link ConfigError} listing every
 * problem as `FILE:LINE:COL: what is wrong (what was expected)`.
 *
 * @example
 * const config = await readConfig('mpcrp-bot.yaml');
 */
export async function readConfig(file: string, options: ReadConfigOptions = {}): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  let text: string;
  try {
    const { readFile } = await import('node:fs/promises');
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ConfigError(
      [`${file}: cannot read the config file (${reason}) (expected a readable YAML file)`],
      {
        cause,
      },
    );
  }
  const { parseConfig } = await import('./parse.js');
  const rel = relative(cwd, file);
  const displayName = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  return parseConfig(text, { file, displayName, env: options.env });
}

/**
 * Finds (see findConfigFile) and reads the config file; `undefined` when there is none.
 */
export async function loadConfig(options: FindConfigFileOptions = {}): Promise<Config | undefined> {
  const found = findConfigFile(options);
  if (!found) return undefined;
  return readConfig(found.path, { env: options.env, cwd: options.cwd });
}

export interface LoadSettingsOptions {
  flags?: ResolveFlags;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * The one way every command turns flags, environment and config file into settings:
 * flags > env > file > defaults. Throws ConfigError before anything connects.
 *
 * @example
 * const { settings } = await loadSettings({ flags: { server: argv.server as string | undefined } });
 */
export async function loadSettings(
  options: LoadSettingsOptions = {},
): Promise<{ settings: Settings; config: Config | undefined }> {
  const env = options.env ?? process.env;
  const config = await loadConfig({ flag: options.flags?.config, env, cwd: options.cwd });
  return { settings: resolveSettings({ flags: options.flags, env, config }), config };
}
