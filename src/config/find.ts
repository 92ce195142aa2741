// Deliberately free of any YAML import: every CLI command calls this at start-up, and
// most runs have no config file at all.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** The file looked for in the working directory when neither -c nor MPCRP_CONFIG is given. */
export const CONFIG_FILE_NAMES = ['mpcrp-bot.yaml', 'mpcrp-bot.yml'] as const;

export interface FoundConfigFile {
  /** Absolute path. */
  path: string;
  source: 'flag' | 'env' | 'cwd' | 'user';
}

export interface FindConfigFileOptions {
  /** `-c/--config` when given. */
  flag?: string;
  /** Environment to read MPCRP_CONFIG, XDG_CONFIG_HOME and HOME from; default process.env. */
  env?: Record<string, string | undefined>;
  /** Default process.cwd(). */
  cwd?: string;
}

/**
 * The per-user file, `$XDG_CONFIG_HOME/mpcrp-bot/config.yaml` (`~/.config/...` when the
 * variable is unset or not absolute, as the XDG Base Directory spec says).
 */
export function userConfigFile(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'mpcrp-bot', 'config.yaml');
}

/**
 * Finds the config file: `-c FILE`, else `MPCRP_CONFIG`, else `mpcrp-bot.yaml` in `cwd`,
 * else the per-user file ({@link userConfigFile}). A file named by the flag or the variable
 * must exist (ConfigError otherwise); the others are optional, so `undefined` means "run on
 * defaults".
 *
 * @example
 * const found = findConfigFile({ flag: argv.config as string | undefined });
 * if (found) console.error(`using ${found.path}`);
 */
export function findConfigFile(options: FindConfigFileOptions = {}): FoundConfigFile | undefined {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const named: Array<[string | undefined, 'flag' | 'env', string]> = [
    [options.flag, 'flag', '--config'],
    [env.MPCRP_CONFIG, 'env', 'MPCRP_CONFIG'],
  ];
  for (const [value, source, label] of named) {
    if (value === undefined || value === '') continue;
    const path = resolve(cwd, value);
    if (!isFile(path)) {
      throw new ConfigError([
        `${label}: config file ${path} does not exist (expected a readable YAML file; run without ${label} to use ./${CONFIG_FILE_NAMES[0]} or defaults)`,
      ]);
    }
    return { path, source };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (isFile(path)) return { path, source: 'cwd' };
  }
  const user = userConfigFile(env);
  return isFile(user) ? { path: user, source: 'user' } : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
