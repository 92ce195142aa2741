// What JSON Schema cannot say about mpcrp-bot.yaml: names, URLs, cron, time zones, files,
// durations and dates, and rules across keys. Runs on the data the schema pass has seen,
// skipping whatever it already flagged, and turns it into a Config (paths resolved,
// durations in ms, per-entry defaults). The schema's descriptions say what is expected.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { nameProblem } from '../protocol/names.js';
import { parseServerUrl } from '../protocol/url.js';
import { cronProblem, timezoneProblem } from '../schedule/cron.js';
import { parseZonedDate } from '../schedule/format.js';
import { placeholderProblem } from '../schedule/placeholders.js';
import { storeUrlProblem } from '../store/open.js';
import { isPackageSpec } from './bot-spec.js';
import { durationProblem, parseDuration } from './duration.js';
import { type Path, showPath } from './schema-pass.js';
import type { Config } from './types.js';

export interface CheckCtx {
  baseDir: string;
  /** Report `path` + `problem` (+ what the schema expects there, unless given). */
  report(path: Path, problem: string, options?: { key?: boolean; expected?: string }): void;
  /** Whether nothing at, above or below `path` is already reported. */
  clean(path: Path): boolean;
}

type Obj = Record<string, unknown>;
type Rule = (value: unknown, path: Path, ctx: CheckCtx) => unknown;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A check that returns a problem ("is ...") or undefined; the value is kept as is. */
const checked =
  (problemOf: (v: string, ctx: CheckCtx) => string | undefined): Rule =>
  (v, path, ctx) => {
    if (typeof v !== 'string' || !ctx.clean(path)) return v;
    const problem = problemOf(v, ctx);
    if (problem !== undefined) ctx.report(path, problem);
    return v;
  };

const named = (kind: 'username' | 'room'): Rule =>
  checked((v) => {
    const p = nameProblem(kind, v);
    return p && `is not a valid ${kind === 'room' ? 'room ID' : kind}: ${p}`;
  });

const each =
  (rule: Rule): Rule =>
  (v, path, ctx) =>
    Array.isArray(v) ? v.map((item, i) => rule(item, [...path, i], ctx)) : v;

const duration: Rule = (v, path, ctx) => {
  if (!ctx.clean(path)) return v;
  const problem = durationProblem(v);
  if (problem !== undefined) {
    ctx.report(path, problem);
    return v;
  }
  return parseDuration(v as string | number);
};

function fileProblem(value: string, ctx: CheckCtx): string | undefined {
  const path = resolve(ctx.baseDir, value);
  try {
    return statSync(path).isFile() ? undefined : `names ${path}, which is not a file`;
  } catch {
    return `names ${path}, which does not exist`;
  }
}

const file: Rule = (v, path, ctx) => {
  checked(fileProblem)(v, path, ctx);
  return typeof v === 'string' ? resolve(ctx.baseDir, v) : v;
};

const serverUrl = checked((v) => {
  try {
    parseServerUrl(v);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // InvalidUrlError already says what is expected; keep only the reason.
    return `is not a valid server URL: ${/: (.*?) \(expected/.exec(message)?.[1] ?? message}`;
  }
});

const ADDRESS = /^(?:(?:\[[0-9A-Fa-f:.]+\]|[^:[\]\s]*):)?(\d{1,5})$/;
const listen = checked((v) => {
  const port = ADDRESS.exec(v.trim())?.[1];
  return port !== undefined && Number(port) <= 65_535
    ? undefined
    : 'is not an address to listen on';
});

/** Applies `rules` to the keys of a mapping; a scalar fills `shorthand` (`server: URL`). */
function section(rules: Record<string, Rule>, shorthand?: string): Rule {
  return (v, path, ctx) => {
    const value = shorthand && typeof v === 'string' ? { [shorthand]: v } : v;
    if (!isObj(value)) return value;
    const out: Obj = { ...value };
    for (const [key, rule] of Object.entries(rules)) {
      if (key in out) out[key] = rule(out[key], [...path, key], ctx);
    }
    return out;
  };
}

const bot: Rule = (v, path, ctx) => {
  const value = section(
    {
      path: (p, at) => {
        if (typeof p !== 'string') return p;
        if (isPackageSpec(p, ctx.baseDir)) return p;
        checked(fileProblem)(p, at, ctx);
        return resolve(ctx.baseDir, p);
      },
      enable: each(named('room')),
      disable: each(named('room')),
    },
    'path',
  )(v, path, ctx);
  return isObj(value) ? { options: {}, enabled: true, disable: [], ...value } : value;
};

const announcement: Rule = (v, path, ctx) => {
  const value = section({
    cron: checked(cronProblem),
    timezone: checked(timezoneProblem),
    rooms: each(named('room')),
    text: checked(placeholderProblem),
    command: checked(placeholderProblem),
    startAt: date,
    stopAt: date,
    maxDelay: duration,
  })(v, path, ctx);
  if (!isObj(value)) return value;
  const out: Obj = { enabled: true, maxDelay: 600_000, ...value };
  // Wall-clock dates mean the announcement's own time zone.
  const tz = typeof out.timezone === 'string' ? out.timezone : undefined;
  for (const key of ['startAt', 'stopAt']) {
    if (typeof out[key] === 'string') out[key] = parseZonedDate(out[key] as string, tz);
  }
  const { startAt, stopAt } = out as { startAt?: unknown; stopAt?: unknown };
  if (ctx.clean(path) && startAt instanceof Date && stopAt instanceof Date && stopAt <= startAt)
    ctx.report([...path, 'stopAt'], 'is not after startAt', {
      key: true,
      expected: 'a stopAt later than startAt',
    });
  return out;
};

/** Kept as text here: the announcement's time zone decides how wall-clock dates read. */
const date: Rule = (v, path, ctx) => {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && ctx.clean(path) && parseZonedDate(v) === undefined)
    ctx.report(path, `is a string (${JSON.stringify(v)})`);
  return v;
};

const uniqueNames: Rule = (v, path, ctx) => {
  if (!Array.isArray(v)) return v;
  const first = new Map<unknown, number>();
  v.forEach((entry, i) => {
    if (!isObj(entry) || typeof entry.name !== 'string') return;
    const seen = first.get(entry.name);
    if (seen === undefined) first.set(entry.name, i);
    else
      ctx.report(
        [...path, i],
        `has the name ${JSON.stringify(entry.name)} of ${showPath([...path, seen])}`,
        {
          expected: 'a unique name',
        },
      );
  });
  return v;
};

const serve = section({
  registrationTimeout: duration,
  writeTimeout: duration,
  throttleTimeout: duration,
  closeTimeout: duration,
  frameTimeout: duration,
  redis: section({ leaseTtl: duration }, 'url'),
  tls: (v, path, ctx) => {
    const value = section({ cert: file, key: file, ca: file, handshakeTimeout: duration })(
      v,
      path,
      ctx,
    );
    if (isObj(value) && ctx.clean(path) && 'cert' in value !== 'key' in value)
      ctx.report(path, 'has only one of cert and key', { expected: 'both, or neither' });
    return value;
  },
  reservedNames: (v, path, ctx) => (Array.isArray(v) ? each(named('username'))(v, path, ctx) : v),
});

const file_ = section({
  server: section({ url: serverUrl, ca: file, cert: file, key: file }, 'url'),
  user: named('username'),
  rooms: each(named('room')),
  bots: each(bot),
  presence: section({ interval: duration }),
  serve,
  http: section({ listen, requestTimeout: duration, responseTimeout: duration }, 'listen'),
  announcements: (v, path, ctx) => uniqueNames(each(announcement)(v, path, ctx), path, ctx),
  data: (v, _path, ctx) => (typeof v === 'string' ? resolve(ctx.baseDir, v) : v),
  store: checked(storeUrlProblem),
  roles: (v, path, ctx) => {
    if (!isObj(v)) return v;
    for (const [role, users] of Object.entries(v))
      each(named('username'))(users, [...path, role], ctx);
    return v;
  },
});

/** The checked, converted config (what the schema and these rules accept). */
export function checkConfig(value: Obj, ctx: CheckCtx): Omit<Config, 'file' | 'secretValues'> {
  const out = file_(value, [], ctx) as Obj;
  return { bots: [], announcements: [], ...out } as Omit<Config, 'file' | 'secretValues'>;
}
