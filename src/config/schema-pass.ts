// The structural pass: schema/mpcrp-bot.schema.json, the one description of the file's
// shape, checked by @cfworker/json-schema. It interprets the schema (no compile step), which
// keeps a CLI start cheap; ajv's compile cost ~300 ms. Its flat error list is turned into
// one line per problem, in the file's own terms, with a guess for misspelt keys and values.
import { readFileSync } from 'node:fs';
import { type OutputUnit, type Schema, Validator } from '@cfworker/json-schema';
import { describeType } from './duration.js';
import { closest } from './suggest.js';

export type Segment = string | number;
export type Path = readonly Segment[];

/** A problem found by the schema: where (path into the value; `key` = the key itself). */
export interface SchemaIssue {
  path: Path;
  key: boolean;
  message: string;
}

type Json = Record<string, unknown>;

let loaded: Json | undefined;

/** The published schema, read once. */
export function configSchema(): Json {
  loaded ??= JSON.parse(
    readFileSync(new URL('../../schema/mpcrp-bot.schema.json', import.meta.url), 'utf8'),
  ) as Json;
  return loaded;
}

/** `['bots', 0, 'path']` → `bots[0].path`; the root is "the file". */
export function showPath(path: Path): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** The value's JSON type as the schema names it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The types a (sub)schema accepts, judged from its keywords. */
function typesOf(schema: Json): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  const values = 'const' in schema ? [schema.const] : (schema.enum as unknown[] | undefined);
  return values ? [...new Set(values.map(jsonType))] : [];
}

/** The `${VAR}` alternative: it only matters before interpolation, i.e. in an editor. */
function isEnvBranch(schema: Json): boolean {
  return schema.type === 'string' && String(schema.pattern ?? '').startsWith('\\$\\{');
}

function fits(types: string[], value: unknown): boolean {
  const t = jsonType(value);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** The alternatives of `schema` (itself when it has none). */
function branches(schema: Json): Json[] {
  const alts = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  return alts ? [schema, ...alts.flatMap(branches)] : [schema];
}

/** The subschema that describes `path` in `value`, following properties and items. */
export function schemaAt(path: Path, root: Json = configSchema()): Json | undefined {
  let here: Json | undefined = root;
  for (const s of path) {
    const next: Json | undefined = branches(here)
      .map((b) =>
        typeof s === 'number'
          ? (b.items as Json | undefined)
          : (((b.properties as Json | undefined)?.[s] ??
              (isObject(b.additionalProperties) ? b.additionalProperties : undefined)) as
              | Json
              | undefined),
      )
      .find((b) => b !== undefined);
    if (next === undefined) return undefined;
    here = next;
  }
  return here;
}

/** What the schema says is expected at `path` (its description). */
export function expectedAt(path: Path): string {
  const schema = schemaAt(path);
  return String(schema?.description ?? 'a valid value');
}

/** Whether a string read from the environment should be read as a number or boolean there. */
export function scalarTypesAt(path: Path): string[] {
  const schema = schemaAt(path);
  return schema ? branches(schema).flatMap(typesOf) : [];
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object';

function pointerAt(root: Json, pointer: string): Json {
  let here: unknown = root;
  for (const raw of pointer.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    here = isObject(here) ? here[decodeSegment(raw)] : undefined;
  }
  return isObject(here) ? here : {};
}

function decodeSegment(raw: string): string {
  return decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
}

function valueAt(value: unknown, pointer: string): { path: Segment[]; value: unknown } {
  const path: Segment[] = [];
  let here = value;
  for (const raw of pointer.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const key = decodeSegment(raw);
    const seg = Array.isArray(here) ? Number(key) : key;
    path.push(seg);
    here = (here as Record<Segment, unknown>)[seg];
  }
  return { path, value: here };
}

/** The description of the schema an error's keyword sits in, outside any alternatives. */
function describedBy(root: Json, keywordLocation: string): string {
  let at = keywordLocation.replace(/\/[^/]+$/, '');
  let found: unknown;
  for (;;) {
    found = pointerAt(root, at).description ?? found;
    const outer = /^(.*)\/(?:anyOf|oneOf)\/\d+$/.exec(at);
    if (!outer) break;
    at = outer[1]!;
  }
  return String(found ?? 'a valid value');
}

function quoted(values: readonly unknown[]): string {
  return values.map((v) => `'${String(v)}'`).join(', ');
}

/**
 * Checks `value` against the schema; every problem, in document order of the errors.
 *
 * @example
 * validateShape({ romos: [] }); // [{ path: ['romos'], key: true, message: "unknown key 'romos', ..." }]
 */
export function validateShape(value: unknown, root: Json = configSchema()): SchemaIssue[] {
  const result = new Validator(root as Schema, '7', false).validate(value);
  if (result.valid) return [];
  const errors = result.errors;
  // Alternatives decided by the value's shape: keep the fitting branch's errors only.
  // Errors to leave out: [instance location, keyword location prefix] (the same schema
  // location is visited once per list item, so both must match).
  const dropped: Array<[string, string]> = [];
  const isDropped = (e: OutputUnit) =>
    dropped.some(
      ([inst, kw]) =>
        (e.instanceLocation === inst || e.instanceLocation.startsWith(`${inst}/`)) &&
        e.keywordLocation.startsWith(kw),
    );
  const handled = new Set<OutputUnit>();
  const issues: SchemaIssue[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    if (isDropped(e)) continue;
    handled.add(e);
    const alts = pointerAt(root, e.keywordLocation) as unknown as Json[];
    const { path, value: v } = valueAt(value, e.instanceLocation);
    if (e.keyword === 'oneOf' && alts.every((a) => Array.isArray(a.required))) {
      // `oneOf: [{required: [text]}, {required: [command]}]`: exactly one of the keys.
      const keys = alts.map((a) => (a.required as string[])[0]!);
      const present = keys.filter((k) => v !== null && typeof v === 'object' && k in v);
      const both = present.length > 1;
      issues.push({
        path: both ? [...path, present[1]!] : path,
        key: both,
        message: `${showPath(path)} has ${both ? `both ${keys.join(' and ')}` : `neither ${keys.join(' nor ')}`} (expected exactly one of them)`,
      });
      dropped.push([e.instanceLocation, `${e.keywordLocation}/`]);
      continue;
    }
    const fitting = alts.flatMap((a, i) => (!isEnvBranch(a) && fits(typesOf(a), v) ? [i] : []));
    if (fitting.length === 1) {
      for (let i = 0; i < alts.length; i++)
        if (i !== fitting[0]) dropped.push([e.instanceLocation, `${e.keywordLocation}/${i}/`]);
    } else {
      issues.push(problem(path, v, describedBy(root, e.keywordLocation)));
      dropped.push([e.instanceLocation, `${e.keywordLocation}/`]);
    }
  }
  for (const e of errors) {
    if (handled.has(e) || isDropped(e)) continue;
    const issue = describe(e, root, value);
    if (issue) issues.push(issue);
  }
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.message) && seen.add(i.message) !== undefined);
}

function problem(path: Path, value: unknown, expected: string, what?: string): SchemaIssue {
  const subject = path.length === 0 ? 'the file' : showPath(path);
  return {
    path,
    key: false,
    message: `${subject} ${what ?? `is ${describeType(value)}`} (expected ${expected})`,
  };
}

function describe(e: OutputUnit, root: Json, value: unknown): SchemaIssue | undefined {
  const { path, value: v } = valueAt(value, e.instanceLocation);
  const schema = pointerAt(root, e.keywordLocation.replace(/\/[^/]+$/, ''));
  const expected = describedBy(root, e.keywordLocation);
  switch (e.keyword) {
    case 'false': {
      // additionalProperties: false, one error per unknown key.
      const key = path[path.length - 1];
      const parent = path.slice(0, -1);
      const at = schemaAt(parent, root);
      const names = (at ? branches(at) : []).flatMap((b) =>
        Object.keys((b.properties ?? {}) as Json),
      );
      const hint = closest(String(key), names);
      const shown = showPath(path);
      return {
        path,
        key: true,
        message: `unknown key '${shown}'${hint ? `, did you mean '${hint}'?` : ''} (expected one of: ${names.join(', ')})`,
      };
    }
    case 'required': {
      const key = /"(.*)"/.exec(e.error)?.[1] ?? '';
      const wanted = expectedAt([...path, key]);
      return problem(path, v, `${wanted} under '${key}'`, `is missing the key '${key}'`);
    }
    case 'type':
      if (path.length === 0)
        return problem(
          path,
          v,
          `a mapping with keys ${Object.keys(schema.properties as Json).join(', ')}`,
        );
      if (schema.type === 'string' && (typeof v === 'number' || typeof v === 'boolean'))
        return problem(path, v, `${expected}; quote it`);
      return problem(path, v, expected);
    case 'enum': {
      const values = schema.enum as unknown[];
      const hint =
        typeof v === 'string'
          ? closest(
              v,
              values.filter((x) => typeof x === 'string'),
            )
          : undefined;
      return problem(
        path,
        v,
        `one of ${quoted(values)}`,
        `is ${describeType(v)}${hint ? `, did you mean '${hint}'?` : ''}`,
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return problem(path, v, expected, `is ${String(v)}`);
    case 'minItems':
      return problem(path, v, expected, 'is empty');
    case 'uniqueItems': {
      const [, first, second] = /(\d+) and (\d+)/.exec(e.error) ?? [];
      const at = [...path, Number(second)];
      const item = (v as unknown[])[Number(second)];
      return problem(
        at,
        item,
        'each entry once',
        `repeats ${JSON.stringify(item)} of ${showPath([...path, Number(first)])}`,
      );
    }
    case 'properties':
    case 'items':
    case 'additionalProperties':
      return undefined;
    default:
      return problem(path, v, expected);
  }
}
