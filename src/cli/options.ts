import { parseArgs } from 'node:util';
import type { Argv, Options } from 'yargs';

/**
 * One declaration per option, used twice: to build the yargs command (help, completion,
 * validation) and by the fast path in main.ts, which parses hot commands such as `send`
 * with node:util's parseArgs so a script's start-up never pays for loading yargs.
 */
export interface OptionSpec {
  type: 'string' | 'boolean' | 'number' | 'count';
  alias?: string;
  describe: string;
  array?: boolean;
  default?: string | number | boolean | string[];
  choices?: readonly string[];
  /** Shown in help as the value's name, e.g. URL. */
  value?: string;
  /** Hidden from help (still accepted). */
  hidden?: boolean;
}
export type OptionTable = Record<string, OptionSpec>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionTable = {
  config: {
    type: 'string',
    alias: 'c',
    value: 'FILE',
    describe: 'configuration file (default: ./mpcrp-bot.yaml if present; env MPCRP_CONFIG)',
  },
  verbose: {
    type: 'count',
    alias: 'v',
    describe: 'more logging on stderr; -vv also dumps every frame',
  },
  quiet: { type: 'boolean', alias: 'q', describe: 'log nothing but errors' },
};

/** Options of every command that connects to a server. */
export const CONNECTION_OPTIONS: OptionTable = {
  server: {
    type: 'string',
    alias: 's',
    value: 'URL',
    describe:
      'server, mpcrp://host:port or mpcrps://host:port (env MPCRP_URL; default mpcrp://127.0.0.1:8890)',
  },
  user: {
    type: 'string',
    alias: 'u',
    value: 'NAME',
    describe: 'username (env MPCRP_USER; default: generated cli-<host>-<pid>)',
  },
  'on-name-taken': {
    type: 'string',
    choices: ['fail', 'suffix'],
    describe:
      'when the name is taken: fail, or retry with a numeric suffix (default: fail for --user, suffix for a generated name)',
  },
  'connect-timeout': {
    type: 'string',
    value: 'DUR',
    default: '5s',
    describe: 'give up connecting after this long (e.g. 500ms, 5s)',
  },
  ca: {
    type: 'string',
    value: 'FILE',
    describe: 'CA certificate(s) to verify an mpcrps:// server',
  },
  cert: { type: 'string', value: 'FILE', describe: 'client certificate (PEM) for mpcrps://' },
  key: { type: 'string', value: 'FILE', describe: 'client private key (PEM) for mpcrps://' },
  insecure: {
    type: 'boolean',
    describe: 'DANGEROUS: do not verify the server certificate (testing only)',
  },
  extensions: {
    type: 'string',
    choices: ['on', 'off'],
    default: 'on',
    describe: 'negotiate protocol extensions (sender identity, presence, room list)',
  },
};

/** Logging options of the long-running commands (`serve`, `run`). */
export const LOG_OPTIONS: OptionTable = {
  'log-level': {
    type: 'string',
    choices: ['debug', 'info', 'warn', 'error', 'silent'],
    describe: 'stderr log level (default info; env MPCRP_LOG_LEVEL)',
  },
  'log-format': {
    type: 'string',
    choices: ['pretty', 'json'],
    describe: 'stderr log format (default pretty)',
  },
};

/** Adds a table's options to a yargs builder. */
export function applyOptions(y: Argv, table: OptionTable): Argv {
  for (const [name, spec] of Object.entries(table)) {
    const opt: Options = {
      describe: spec.describe,
      hidden: spec.hidden,
    };
    if (spec.type === 'count') opt.count = true;
    else opt.type = spec.type;
    if (spec.alias) opt.alias = spec.alias;
    if (spec.array) opt.array = true;
    if (spec.default !== undefined) opt.default = spec.default;
    if (spec.choices) opt.choices = [...spec.choices];
    if (spec.value && spec.type !== 'boolean') opt.requiresArg = true;
    y.option(name, opt);
  }
  return y;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export interface FastParseInput {
  args: string[];
  table: OptionTable;
  /** Name under which positionals are stored (e.g. `text` for `send [text..]`). */
  positional?: string;
}

/**
 * Parses argv with node:util's parseArgs using the same tables as yargs. Returns
 * `undefined` whenever anything is unusual (help, an unknown flag, a bad value), so the
 * caller falls back to yargs, which prints the proper message.
 */
export function fastParse({
  args,
  table,
  positional,
}: FastParseInput): Record<string, unknown> | undefined {
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  type ParseOpts = NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  const options: NonNullable<ParseOpts> = {};
  for (const [name, spec] of Object.entries(table)) {
    options[name] = {
      type: spec.type === 'boolean' || spec.type === 'count' ? 'boolean' : 'string',
      multiple: spec.array === true || spec.type === 'count',
      ...(spec.alias && spec.alias.length === 1 ? { short: spec.alias } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: positional !== undefined, strict: true });
  } catch {
    return undefined;
  }
  const out: Record<string, unknown> = { _: [], $0: 'mpcrp-bot' };
  for (const [name, spec] of Object.entries(table)) {
    let value: unknown = parsed.values[name];
    if (value === undefined) value = spec.default;
    else if (spec.type === 'count') value = (value as boolean[]).length;
    else if (spec.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) return undefined;
      value = n;
    }
    if (spec.choices && value !== undefined && !spec.choices.includes(String(value))) {
      return undefined;
    }
    if (spec.type === 'count' && value === undefined) value = 0;
    out[name] = value;
    if (name.includes('-')) out[camel(name)] = value;
    if (spec.alias) out[spec.alias] = value;
  }
  if (positional !== undefined) out[positional] = parsed.positionals;
  return out;
}
