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
  /** Accept an empty string (`-m ''`); otherwise `--flag ''` is a usage error. */
  allowEmpty?: boolean;
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
    describe: 'CA certificate(s) to verify an mpcrps:// server (env MPCRP_CA)',
  },
  cert: {
    type: 'string',
    value: 'FILE',
    describe: 'client certificate (PEM) for mpcrps:// (env MPCRP_CERT)',
  },
  key: {
    type: 'string',
    value: 'FILE',
    describe: 'client private key (PEM) for mpcrps:// (env MPCRP_KEY)',
  },
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
    // Numbers are parsed by checkValues, which can quote what was typed ('abc', not NaN).
    else opt.type = spec.type === 'number' ? 'string' : spec.type;
    if (spec.alias) opt.alias = spec.alias;
    if (spec.array) opt.array = true;
    if (spec.default !== undefined) opt.default = spec.default;
    if (spec.choices) opt.choices = [...spec.choices];
    if (spec.value && spec.type !== 'boolean') opt.requiresArg = true;
    y.option(name, opt);
  }
  return y;
}

/** `connect-timeout` -> `connectTimeout`, as yargs names a dashed option a second time. */
export function camel(name: string): string {
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
 * `undefined` whenever anything is unusual (help, an unknown flag, a bad choice), so the
 * caller falls back to yargs, which prints the proper message. Values stay as typed:
 * {@link checkValues} converts and checks them on both paths.
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
      // Every value option collects, so a repeated single-value flag can be refused.
      multiple: spec.type !== 'boolean',
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
    else if (Array.isArray(value) && !spec.array && value.length === 1) value = value[0];
    if (
      spec.choices &&
      typeof value === 'string' &&
      value !== '' &&
      !spec.choices.includes(String(value))
    ) {
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

/** `-p/--port` or `--tls-port`: how a flag is named in messages. */
export function flagLabel(name: string, spec: OptionSpec): string {
  return spec.alias && spec.alias.length === 1 ? `-${spec.alias}/--${name}` : `--${name}`;
}

/**
 * Checks and converts the values of `table`'s options in `argv` (in place, under the name,
 * its camelCase form and its alias), on the fast path and after yargs alike. Returns what
 * is wrong, as one line, or `undefined`:
 * - a single-value option given twice (`users -r a -r b` would otherwise use only `b`);
 * - an empty value (`-s ''` is a mistake, not "unset": the config file refuses `""` too);
 * - a number that is not one (`-p abc`), quoted as typed rather than as NaN.
 */
export function checkValues(argv: Record<string, unknown>, table: OptionTable): string | undefined {
  for (const [name, spec] of Object.entries(table)) {
    if (spec.type === 'boolean' || spec.type === 'count') continue;
    let value = argv[name];
    if (value === undefined) continue;
    const label = flagLabel(name, spec);
    if (Array.isArray(value) && !spec.array) {
      return `${label} takes one value, but was given ${value.length} (${value.map((v) => JSON.stringify(String(v))).join(', ')}); give it once`;
    }
    const values = (Array.isArray(value) ? value : [value]).map((v) =>
      typeof v === 'number' ? v : String(v),
    );
    if (!spec.allowEmpty && values.some((v) => v === '')) {
      return `${label} was given an empty value${spec.value ? ` (expected ${spec.value})` : ''}; leave the option out to use its default`;
    }
    if (spec.type === 'number') {
      const numbers = values.map((v) =>
        typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v),
      );
      const bad = values.find((v, i) => typeof v === 'string' && !Number.isFinite(numbers[i]));
      if (bad !== undefined) {
        return `${label} takes a number, got ${JSON.stringify(bad)}`;
      }
      value = spec.array ? numbers : numbers[0];
    }
    argv[name] = value;
    if (name.includes('-')) argv[camel(name)] = value;
    if (spec.alias) argv[spec.alias] = value;
  }
  return undefined;
}

/** A flag's value as text, or undefined when it is absent or empty. */
export function textFlag(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
