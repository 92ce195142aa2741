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
  /** Largest file read, in bytes; default {@link MAX_CONFIG_BYTES}. Larger files are refused unread. */
  maxBytes?: number;
  /** Values YAML aliases may expand to, in all; default 10,000 (see aliases.ts). */
  maxAliasValues?: number;
}

/**
 * 256 KiB: a hundred times the largest example, yet parsed in well under a second. Past it
 * the YAML parser's memory (about 90x the text) and time are an attacker's lever.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * Reads, parses and validates one config file. Throws {@link ConfigError} listing every
 * problem as `FILE:LINE:COL: what is wrong (what was expected)`.
 *
 * @example
 * const config = await readConfig('mpcrp-bot.yaml');
 */
export async function readConfig(file: string, options: ReadConfigOptions = {}): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const rel = relative(cwd, file);
  const displayName = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  const maxBytes = options.maxBytes ?? MAX_CONFIG_BYTES;
  let text: string;
  try {
    text = await readCapped(file, maxBytes);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ConfigError(
      [`${file}: cannot read the config file (${reason}) (expected a readable YAML file)`],
      { cause },
    );
  }
  if (text === TOO_BIG) {
    throw new ConfigError([
      `${displayName}:1:1: the file is larger than ${maxBytes} bytes, the limit for a config file (expected a smaller file; keep large data in a file a bot reads, not in the config)`,
    ]);
  }
  const { parseConfig } = await import('./parse.js');
  return parseConfig(text, {
    file,
    displayName,
    env: options.env,
    ...(options.maxAliasValues === undefined ? {} : { maxAliasValues: options.maxAliasValues }),
  });
}

const TOO_BIG = '\0too big';

/** Reads at most `maxBytes` (+1 to tell): a huge or growing file is never held in memory. */
async function readCapped(file: string, maxBytes: number): Promise<string> {
  const { open } = await import('node:fs/promises');
  const handle = await open(file, 'r');
  try {
    if ((await handle.stat()).size > maxBytes) return TOO_BIG;
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length > maxBytes ? TOO_BIG : buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
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
