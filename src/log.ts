/**
 * A small structured logger. Everything goes to stderr (stdout is for data), one line per
 * record, as `pretty` text or `json`. Scopes name the part that logs (`server`, a plugin).
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'pretty' | 'json';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose records carry `scope` (joined with ':' to the parent's). */
  child(scope: string): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  scope?: string;
  /** Where lines go; default process.stderr. */
  write?: (line: string) => void;
  /**
   * Print the stack of an Error field (and of its causes) in `pretty` format. Default: at
   * level debug (`-v`). The `json` format always has it, as `<field>Stack`.
   */
  stacks?: boolean;
}

/** An error's stack with its `cause` chain, as Node prints them. */
export function stackOf(error: Error): string {
  let out = error.stack ?? `${error.name}: ${error.message}`;
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth += 1) {
    out += `\n  [cause]: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return out;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[\w.:/@-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * @example
 * const log = createLogger({ level: 'info' }).child('server');
 * log.info('listening', { url: 'mpcrp://127.0.0.1:8890' });
 * // 2026-11-27T14:00:00.000Z INFO  [server] listening url=mpcrp://127.0.0.1:8890
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? 'pretty';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threshold = RANK[level];
  const stacks = options.stacks ?? level === 'debug';

  const emit = (
    lvl: Exclude<LogLevel, 'silent'>,
    message: string,
    fields?: Record<string, unknown>,
  ) => {
    if (RANK[lvl] < threshold) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields ?? {})) {
        extra[k] = v instanceof Error ? v.message : v;
        if (v instanceof Error) extra[`${k}Stack`] = stackOf(v);
      }
      write(JSON.stringify({ time, level: lvl, scope: options.scope, msg: message, ...extra }));
      return;
    }
    let line = `${time} ${lvl.toUpperCase().padEnd(5)} ${options.scope ? `[${options.scope}] ` : ''}${message}`;
    let trace = '';
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
      if (stacks && v instanceof Error) trace += `\n    ${stackOf(v).replaceAll('\n', '\n    ')}`;
    }
    write(line + trace);
  };

  return {
    level,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (scope) =>
      createLogger({ ...options, scope: options.scope ? `${options.scope}:${scope}` : scope }),
  };
}

/** A logger that drops everything; the default for library use. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
