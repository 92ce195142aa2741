import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { aliasProblem, MAX_ALIAS_VALUES } from './aliases.js';
import { checkConfig } from './checks.js';
import { MAX_NESTING, nestingProblem } from './nesting.js';
import { expectedAt, type Path, showPath, validateShape } from './schema-pass.js';
import type { Config } from './types.js';
import { offsetAt, plainValue, type ReadCtx } from './yaml-value.js';

export interface ParseConfigOptions {
  /** Absolute path of the file: relative paths inside resolve against its directory. */
  file: string;
  /** How the file is named in messages (default: `file`). */
  displayName?: string;
  /** For ${VAR} interpolation; default process.env. */
  env?: Record<string, string | undefined>;
  /** Values the file's YAML aliases may expand to, in all; default {@link MAX_ALIAS_VALUES}. */
  maxAliasValues?: number;
}

/** Problems listed before the rest are summed up in one line; a bomb can make thousands. */
export const MAX_LISTED_ISSUES = 100;

/**
 * Parses and validates config text. Every problem (YAML syntax, unknown key, wrong type, bad
 * URL or cron expression, missing bot file, unset variable) becomes one
 * `FILE:LINE:COL: what is wrong (what was expected)` line, and all of them are thrown
 * together as a {@link ConfigError}.
 *
 * @example
 * const config = parseConfig(readFileSync(file, 'utf8'), { file });
 */
export function parseConfig(text: string, options: ParseConfigOptions): Config {
  const file = resolve(options.file);
  const name = options.displayName ?? options.file;
  const lineCounter = new LineCounter();
  const deep = nestingProblem(text);
  if (deep !== undefined) {
    // Not parsed yet, so no LineCounter: count the lines up to the offset.
    const line = text.slice(0, deep).split('\n').length;
    const col = deep - text.lastIndexOf('\n', deep - 1);
    throw new ConfigError([
      `${name}:${line}:${col}: the file nests lists or mappings more than ${MAX_NESTING} levels deep (expected at most ${MAX_NESTING}; a config needs a handful)`,
    ]);
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: Array<{ offset: number; message: string }> = [];
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${name}:${line}:${col}`;
  };

  for (const error of doc.errors) {
    const first = error.message.split('\n')[0] ?? '';
    issues.push({
      offset: error.pos[0],
      // The parser recurses per nesting level; say what that means for the file.
      message: /call stack/i.test(first)
        ? 'the file nests lists or mappings too deeply for the parser (expected at most a few hundred levels)'
        : `${first} (expected valid YAML)`,
    });
  }
  if (issues.length > 0) throw toError(issues, at);
  const aliases = aliasProblem(doc, options.maxAliasValues ?? MAX_ALIAS_VALUES);
  if (aliases) throw toError([aliases], at);

  const secretValues = new Set<string>();
  if (doc.contents === null) return { bots: [], announcements: [], file, secretValues };
  const read: ReadCtx = {
    doc,
    source: text,
    env: options.env ?? process.env,
    secretValues,
    report: (offset, message) => issues.push({ offset, message }),
    failed: [],
  };
  const value = plainValue(doc.contents, [], read);
  const bad: Path[] = [...read.failed];
  for (const issue of validateShape(value)) {
    issues.push({ offset: offsetAt(doc, issue.path, issue.key), message: issue.message });
    bad.push(issue.path);
  }
  const within = (outer: Path, inner: Path) => outer.every((s, i) => inner[i] === s);
  const config = checkConfig(value as Record<string, unknown>, {
    baseDir: dirname(file),
    clean: (path) => !bad.some((b) => within(b, path) || within(path, b)),
    report: (path, problem, extra = {}) =>
      issues.push({
        offset: offsetAt(doc, path, extra.key),
        message: `${showPath(path)} ${problem} (expected ${extra.expected ?? expectedAt(path)})`,
      }),
  });
  if (issues.length > 0) throw toError(issues, at);
  return { ...config, file, secretValues };
}

function toError(
  issues: Array<{ offset: number; message: string }>,
  at: (offset: number) => string,
): ConfigError {
  const sorted = [...issues].sort((a, b) => a.offset - b.offset);
  const lines = sorted.slice(0, MAX_LISTED_ISSUES).map((i) => `${at(i.offset)}: ${i.message}`);
  const more = sorted.length - MAX_LISTED_ISSUES;
  if (more > 0)
    lines.push(
      `${at(sorted[MAX_LISTED_ISSUES]!.offset)}: and ${more} more problems (expected a file with fewer; fix these first)`,
    );
  return new ConfigError(lines);
}
