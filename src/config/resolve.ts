import { ConfigError } from '../errors.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../log.js';
import { nameProblem } from '../protocol/names.js';
import { DEFAULT_URL, parseServerUrl } from '../protocol/url.js';
import type { AnnouncementEntry, BotEntry, Config, HttpSection, ServeSection } from './types.js';

export type SettingSource = 'flag' | 'env' | 'config' | 'default';

/** Defaults for every setting a flag, variable or the file can change. */
export const DEFAULTS = {
  server: DEFAULT_URL,
  prefix: '!',
  presenceInterval: 2000,
  outbox: { rate: 5, burst: 10, limit: 1000 },
  log: { level: 'info' as LogLevel, format: 'pretty' as LogFormat },
} as const;

/** Environment variables read by resolveSettings (and MPCRP_CONFIG by findConfigFile). */
export const ENV_VARS = [
  'MPCRP_URL',
  'MPCRP_USER',
  'MPCRP_CONFIG',
  'MPCRP_LOG_LEVEL',
  'MPCRP_CA',
  'MPCRP_CERT',
  'MPCRP_KEY',
] as const;

/** CLI values already parsed by yargs; `undefined` means "not given". */
export interface ResolveFlags {
  config?: string;
  server?: string;
  user?: string;
  rooms?: string[];
  prefix?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** -v (count or boolean): debug logging. */
  verbose?: number | boolean;
  /** -q: errors only. */
  quiet?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

export interface Settings {
  /** Normalised URL, e.g. `mpcrp://127.0.0.1:8890`. */
  server: string;
  serverSource: SettingSource;
  user?: string;
  userSource?: SettingSource;
  rooms: string[];
  prefix: string;
  /** Milliseconds. */
  presenceInterval: number;
  outbox: { rate: number; burst: number; limit: number };
  log: { level: LogLevel; format: LogFormat };
  tls: { ca?: string; cert?: string; key?: string; insecure: boolean };
  bots: BotEntry[];
  announcements: AnnouncementEntry[];
  /** As written in the file; the server applies its own defaults to the rest. */
  serve: ServeSection;
  /** As written in the file (`http:`); `--http` and MPCRP_HTTP_TOKEN are applied by the commands. */
  http: HttpSection;
  /** Absolute path of the config file used, if any. */
  configFile?: string;
  /** The config's `data:` (absolute); run applies `--data` and the default. */
  data?: string;
  /** The config's `store:`; run applies `--store`. */
  store?: string;
  /** The config's `roles:`. */
  roles?: Record<string, string[]>;
  /** The config's `refusal:`. */
  refusal?: string | false;
}

export interface ResolveSettingsOptions {
  flags?: ResolveFlags;
  env?: Record<string, string | undefined>;
  config?: Config;
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

/**
 * One rule for empty values: an empty environment variable counts as unset (as in sh, and
 * as `VAR= cmd` is used to clear one), but an empty value given on purpose, `-s ''`,
 * `-u ''`, `--prefix ''` or `prefix: ""` in the file, is an error, never a silent default.
 */
function emptyFlagIssues(flags: ResolveFlags): string[] {
  const named: Array<[string | undefined, string, string]> = [
    [flags.server, '--server', 'a server URL such as mpcrp://127.0.0.1:8890'],
    [flags.user, '--user', 'a username of 1-20 characters'],
    [flags.prefix, '--prefix', "a non-empty command prefix such as '!'"],
    [flags.config, '--config', 'a config file path'],
  ];
  return named
    .filter(([value]) => value === '')
    .map(
      ([, label, expected]) =>
        `${label} is empty (expected ${expected}; leave the flag out for the default)`,
    );
}

/**
 * Merges flags > environment > config file > defaults into one typed object. The single
 * implementation behind `run`, `serve` and the client commands. Throws ConfigError naming
 * the flag or variable when one of them holds a bad value.
 *
 * @example
 * const settings = resolveSettings({ flags: { server: argv.server }, config });
 * settings.server; // 'mpcrp://127.0.0.1:8890' unless something said otherwise
 */
export function resolveSettings(options: ResolveSettingsOptions = {}): Settings {
  const flags = options.flags ?? {};
  const env = options.env ?? process.env;
  const config = options.config;
  const issues: string[] = emptyFlagIssues(flags);
  if (flags.prefix !== undefined && flags.prefix !== '' && /\s/.test(flags.prefix)) {
    issues.push(
      `--prefix ${JSON.stringify(flags.prefix)} has white space (expected a non-empty command prefix such as '!')`,
    );
  }

  let server: string = DEFAULTS.server;
  let serverSource: SettingSource = 'default';
  const serverCandidates: Array<[string | undefined, SettingSource, string]> = [
    [nonEmpty(flags.server), 'flag', '--server'],
    [nonEmpty(env.MPCRP_URL), 'env', 'MPCRP_URL'],
    [config?.server?.url, 'config', 'server.url'],
  ];
  for (const [value, source, label] of serverCandidates) {
    if (value === undefined) continue;
    try {
      server = parseServerUrl(value).url;
      serverSource = source;
    } catch (error) {
      issues.push(`${label}: ${(error as Error).message}`);
    }
    break;
  }

  let user: string | undefined;
  let userSource: SettingSource | undefined;
  const userCandidates: Array<[string | undefined, SettingSource, string]> = [
    [nonEmpty(flags.user), 'flag', '--user'],
    [nonEmpty(env.MPCRP_USER), 'env', 'MPCRP_USER'],
    [config?.user, 'config', 'user'],
  ];
  for (const [value, source, label] of userCandidates) {
    if (value === undefined) continue;
    const problem = nameProblem('username', value);
    if (problem) issues.push(`${label}: invalid username ${JSON.stringify(value)}: ${problem}`);
    user = value;
    userSource = source;
    break;
  }

  let level: LogLevel = config?.log?.level ?? DEFAULTS.log.level;
  const envLevel = nonEmpty(env.MPCRP_LOG_LEVEL);
  if (envLevel !== undefined) {
    if ((LOG_LEVELS as readonly string[]).includes(envLevel)) level = envLevel as LogLevel;
    else
      issues.push(
        `MPCRP_LOG_LEVEL: '${envLevel}' is not a log level (expected one of ${LOG_LEVELS.join(', ')})`,
      );
  }
  if (flags.quiet) level = 'error';
  if (flags.verbose) level = 'debug';
  if (flags.logLevel !== undefined) level = flags.logLevel;

  if (issues.length > 0) throw new ConfigError(issues);

  const fileTls = config?.server ?? {};
  return {
    server,
    serverSource,
    ...(user === undefined ? {} : { user, userSource }),
    rooms: flags.rooms ?? config?.rooms ?? [],
    prefix: flags.prefix ?? config?.prefix ?? DEFAULTS.prefix,
    presenceInterval: config?.presence?.interval ?? DEFAULTS.presenceInterval,
    outbox: { ...DEFAULTS.outbox, ...config?.outbox },
    log: { level, format: flags.logFormat ?? config?.log?.format ?? DEFAULTS.log.format },
    // The variables mosquitto users reach for; paths in them are taken as given (relative
    // to the working directory, like the flags), the file's relative to the file.
    tls: {
      ...pick('ca', flags.ca ?? nonEmpty(env.MPCRP_CA) ?? fileTls.ca),
      ...pick('cert', flags.cert ?? nonEmpty(env.MPCRP_CERT) ?? fileTls.cert),
      ...pick('key', flags.key ?? nonEmpty(env.MPCRP_KEY) ?? fileTls.key),
      insecure: flags.insecure ?? fileTls.insecure ?? false,
    },
    bots: config?.bots ?? [],
    announcements: config?.announcements ?? [],
    serve: config?.serve ?? {},
    http: config?.http ?? {},
    ...(config ? { configFile: config.file } : {}),
    ...(config?.data !== undefined ? { data: config.data } : {}),
    ...(config?.store !== undefined ? { store: config.store } : {}),
    ...(config?.roles !== undefined ? { roles: config.roles } : {}),
    ...(config?.refusal !== undefined ? { refusal: config.refusal } : {}),
  };
}

function pick<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
