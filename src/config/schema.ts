// A small declarative validator over YAML nodes. It converts as it checks, so every problem
// can point at the node it came from, and it keeps going after a problem so the user sees
// all of them at once.
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { parseZonedDate } from '../schedule/format.js';
import { DURATION_EXPECTED, describeType, durationProblem, parseDuration } from './duration.js';
import { interpolate } from './interpolate.js';
import { closest } from './suggest.js';

export interface Ctx {
  /** Report a problem at a source offset. */
  report(offset: number, message: string): void;
  env: Record<string, string | undefined>;
  /** Directory of the config file; relative paths resolve against it. */
  baseDir: string;
  secretValues: Set<string>;
  doc: Document;
  source: string;
}

/** What custom checks get: where the value is, to report more than one problem. */
export interface At {
  path: string;
  offset: number;
  ctx: Ctx;
}

type Check<T> = (value: T, at: At) => string | undefined;

/** Extra JSON Schema keywords for the published schema (see json-schema.ts), e.g. a pattern. */
type JsonHint = { json?: Record<string, unknown> };

export type Schema = JsonHint &
  (
    | {
        kind: 'string';
        expected?: string;
        check?: Check<string>;
        /** Turns the checked value into what the Config holds (e.g. an absolute path). */
        transform?: (value: string, at: At) => unknown;
      }
    | { kind: 'number'; integer?: boolean; min?: number; max?: number; expected?: string }
    | { kind: 'boolean' }
    | { kind: 'duration' }
    | { kind: 'date' }
    | { kind: 'enum'; values: readonly string[] }
    | {
        kind: 'list';
        item: Schema;
        nonEmpty?: boolean;
        unique?: boolean;
        /** Items are mappings whose value under this key must differ. */
        uniqueKey?: string;
        expected?: string;
      }
    | {
        kind: 'object';
        fields: Record<string, Field>;
        /** A scalar in place of the mapping fills this field (`server: mpcrp://...`). */
        shorthand?: string;
        /** Cross-field rules; report with at.ctx.report(offsetOf(field) ...). */
        check?: (
          value: Record<string, unknown>,
          at: At,
          fieldOffset: (key: string) => number,
        ) => void;
      }
    /** Free-form data handed on as is (plugin options); strings are still interpolated. */
    | { kind: 'any' }
    /** The alternative of the value's shape (a list, a mapping or a scalar) checks it. */
    | { kind: 'oneOf'; options: readonly Schema[]; expected: string }
  );

export interface Field {
  schema: Schema;
  required?: boolean;
  default?: unknown;
}

/** Marks a value that failed validation; the caller drops it and keeps going. */
export const INVALID: unique symbol = Symbol('invalid');
type Result = unknown | typeof INVALID;

function offsetOf(node: Node | null | undefined, fallback: number): number {
  return node?.range ? node.range[0] : fallback;
}

function fail(at: At, problem: string, expected: string): typeof INVALID {
  const subject = at.path === '' ? 'the file' : at.path;
  at.ctx.report(at.offset, `${subject} ${problem} (expected ${expected})`);
  return INVALID;
}

function expectedOf(schema: Schema): string {
  switch (schema.kind) {
    case 'string':
      return schema.expected ?? 'a string';
    case 'number': {
      if (schema.expected) return schema.expected;
      const noun = schema.integer ? 'an integer' : 'a number';
      if (schema.min !== undefined && schema.max !== undefined)
        return `${noun} from ${schema.min} to ${schema.max}`;
      if (schema.min !== undefined) return `${noun} ≥ ${schema.min}`;
      return noun;
    }
    case 'boolean':
      return 'true or false';
    case 'duration':
      return DURATION_EXPECTED;
    case 'date':
      return "an ISO 8601 date or date-time, e.g. '2026-03-01 09:00' or '2026-03-01T09:00:00+01:00'";
    case 'enum':
      return `one of ${schema.values.map((v) => `'${v}'`).join(', ')}`;
    case 'list':
      return schema.expected ?? `a list of: ${expectedOf(schema.item)}`;
    case 'object':
      return `a mapping with keys ${Object.keys(schema.fields).join(', ')}`;
    case 'any':
      return 'any value';
    case 'oneOf':
      return schema.expected;
  }
}

/** Reads a scalar, interpolating ${VAR} in strings; reports interpolation problems. */
function scalarValue(node: Node, at: At): Result {
  if (!isScalar(node)) return node;
  const value = node.value;
  if (typeof value !== 'string') return value;
  const result = interpolate(value, at.ctx.env);
  if (result.problems.length > 0) {
    const raw = node.range ? at.ctx.source.slice(node.range[0], node.range[1]) : '';
    for (const p of result.problems) {
      // Point at the `${` itself when the source spells it as written (plain or simple quotes).
      const token = value.slice(p.index, value.indexOf('}', p.index) + 1 || undefined);
      const found = token ? raw.indexOf(token) : -1;
      at.ctx.report(
        found >= 0 ? at.offset + found : at.offset,
        `${at.path}: ${p.problem} (expected ${p.expected})`,
      );
    }
    return INVALID;
  }
  if (result.fromEnv && result.value !== '') at.ctx.secretValues.add(result.value);
  return result.interpolated ? { interpolated: result.value } : result.value;
}

/**
 * Validates and converts `node` against `schema`. Returns INVALID after reporting when it
 * does not fit; `undefined` for an absent node.
 */
export function validate(node: Node | null | undefined, schema: Schema, at: At): Result {
  let current = node;
  if (isAlias(current)) current = current.resolve(at.ctx.doc) as Node | undefined;
  const here: At = { ...at, offset: offsetOf(current, at.offset) };
  if (current === null || current === undefined) return undefined;
  if (isScalar(current) && current.value === null) return undefined;

  switch (schema.kind) {
    case 'oneOf': {
      const shape = isSeq(current) ? 'list' : isMap(current) ? 'object' : 'scalar';
      const fits = schema.options.find(
        (o) => (o.kind === 'list' || o.kind === 'object' ? o.kind : 'scalar') === shape,
      );
      if (fits === undefined) return fail(here, `is ${describeNode(current)}`, schema.expected);
      return validate(current, fits, here);
    }
    case 'any':
      return toPlain(current, here);
    case 'object':
      return validateObject(current, schema, here);
    case 'list': {
      if (!isSeq(current)) return fail(here, `is ${describeNode(current)}`, expectedOf(schema));
      const out: unknown[] = [];
      let ok = true;
      const seen = new Set<string>();
      const firstNode = new Map<number, unknown>();
      current.items.forEach((item, index) => {
        const itemAt: At = {
          ...here,
          path: `${here.path}[${index}]`,
          offset: offsetOf(item as Node, here.offset),
        };
        const v = validate(item as Node, schema.item, itemAt);
        if (v === INVALID) {
          ok = false;
        } else if (v === undefined) {
          fail(itemAt, 'is empty', expectedOf(schema.item));
          ok = false;
        } else if (schema.unique && seen.has(JSON.stringify(v))) {
          fail(itemAt, `repeats ${JSON.stringify(v)}`, 'each entry once');
          ok = false;
        } else {
          seen.add(JSON.stringify(v));
          out.push(v);
          const k = schema.uniqueKey;
          if (k !== undefined) {
            const key = (v as Record<string, unknown>)[k];
            const first = out.findIndex((o) => (o as Record<string, unknown>)[k] === key);
            if (first !== out.length - 1) {
              const indexOf = (node: unknown) => current.items.indexOf(node as never);
              fail(
                itemAt,
                `has the ${k} ${JSON.stringify(key)} of ${here.path}[${indexOf(firstNode.get(first))}]`,
                `a unique ${k}`,
              );
              ok = false;
            }
          }
          firstNode.set(out.length - 1, item);
        }
      });
      if (schema.nonEmpty && current.items.length === 0)
        return fail(here, 'is empty', expectedOf(schema));
      return ok ? out : INVALID;
    }
    default:
      break;
  }

  if (!isScalar(current)) return fail(here, `is ${describeNode(current)}`, expectedOf(schema));
  let value = scalarValue(current, here);
  if (value === INVALID) return INVALID;
  // A value spliced in from the environment is text; read it as the type asked for.
  const fromEnv = typeof value === 'object' && value !== null && 'interpolated' in value;
  if (fromEnv) value = (value as { interpolated: string }).interpolated;
  return validateScalar(value, schema, here, fromEnv);
}

function validateScalar(value: unknown, schema: Schema, at: At, fromEnv: boolean): Result {
  switch (schema.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        if (fromEnv || (typeof value !== 'number' && typeof value !== 'boolean'))
          return fail(at, `is ${describeType(value)}`, expectedOf(schema));
        return fail(at, `is ${describeType(value)}`, `${expectedOf(schema)}; quote it`);
      }
      const problem = schema.check?.(value, at);
      if (problem !== undefined) return fail(at, problem, expectedOf(schema));
      return schema.transform ? schema.transform(value, at) : value;
    }
    case 'number': {
      const n = fromEnv && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n))
        return fail(at, `is ${describeType(value)}`, expectedOf(schema));
      if (
        (schema.integer && !Number.isInteger(n)) ||
        (schema.min !== undefined && n < schema.min) ||
        (schema.max !== undefined && n > schema.max)
      )
        return fail(at, `is ${n}`, expectedOf(schema));
      return n;
    }
    case 'boolean': {
      const b = fromEnv && (value === 'true' || value === 'false') ? value === 'true' : value;
      if (typeof b !== 'boolean') return fail(at, `is ${describeType(value)}`, expectedOf(schema));
      return b;
    }
    case 'duration': {
      const v = fromEnv && /^\d+(\.\d+)?$/.test(String(value)) ? Number(value) : value;
      const problem = durationProblem(v);
      if (problem !== undefined) return fail(at, problem, expectedOf(schema));
      return parseDuration(v as string | number);
    }
    case 'date': {
      // Kept as text: the owner decides which time zone wall-clock dates are read in.
      if (typeof value === 'string' && parseZonedDate(value) !== undefined) return value;
      if (value instanceof Date) return value.toISOString();
      return fail(at, `is ${describeType(value)}`, expectedOf(schema));
    }
    case 'enum': {
      if (typeof value === 'string' && schema.values.includes(value)) return value;
      const hint = typeof value === 'string' ? closest(value, schema.values) : undefined;
      return fail(
        at,
        `is ${describeType(value)}${hint ? `, did you mean '${hint}'?` : ''}`,
        expectedOf(schema),
      );
    }
    default:
      return fail(at, `is ${describeType(value)}`, expectedOf(schema));
  }
}

function validateObject(node: Node, schema: Extract<Schema, { kind: 'object' }>, at: At): Result {
  if (isScalar(node) && schema.shorthand) {
    const field = schema.fields[schema.shorthand]!;
    const v = validate(node, field.schema, { ...at, path: `${at.path}.${schema.shorthand}` });
    return v === INVALID ? INVALID : withDefaults({ [schema.shorthand]: v }, schema);
  }
  if (!isMap(node)) {
    const expected = schema.shorthand
      ? `${expectedOf(schema.fields[schema.shorthand]!.schema)}, or ${expectedOf(schema)}`
      : expectedOf(schema);
    return fail(at, `is ${describeNode(node)}`, expected);
  }
  const out: Record<string, unknown> = {};
  const keyOffsets = new Map<string, number>();
  const invalidKeys = new Set<string>();
  let ok = true;
  const names = Object.keys(schema.fields);
  for (const pair of node.items as Pair<Node, Node>[]) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    const keyOffset = offsetOf(keyNode, at.offset);
    const prefix = at.path === '' ? '' : `${at.path}.`;
    if (key === undefined || !(key in schema.fields)) {
      const shown = key ?? 'complex key';
      const hint = key === undefined ? undefined : closest(key, names);
      at.ctx.report(
        keyOffset,
        `unknown key '${prefix}${shown}'${hint ? `, did you mean '${hint}'?` : ''} (expected one of: ${names.join(', ')})`,
      );
      ok = false;
      continue;
    }
    keyOffsets.set(key, keyOffset);
    const field = schema.fields[key]!;
    const valueNode = pair.value;
    const v = validate(valueNode, field.schema, {
      ...at,
      path: `${prefix}${key}`,
      offset: offsetOf(valueNode, keyOffset),
    });
    if (v === INVALID) {
      ok = false;
      invalidKeys.add(key);
    } else if (v !== undefined) out[key] = v;
  }
  for (const [key, field] of Object.entries(schema.fields)) {
    if (!field.required || key in out) continue;
    if (!keyOffsets.has(key)) {
      fail(at, `is missing the key '${key}'`, `${expectedOf(field.schema)} under '${key}'`);
      ok = false;
    } else if (!invalidKeys.has(key)) {
      const path = at.path === '' ? key : `${at.path}.${key}`;
      fail({ ...at, path, offset: keyOffsets.get(key)! }, 'is empty', expectedOf(field.schema));
      ok = false;
    }
  }
  if (!ok) return INVALID;
  const result = withDefaults(out, schema);
  schema.check?.(result, at, (key) => keyOffsets.get(key) ?? at.offset);
  return result;
}

function withDefaults(
  value: Record<string, unknown>,
  schema: Extract<Schema, { kind: 'object' }>,
): Record<string, unknown> {
  for (const [key, field] of Object.entries(schema.fields)) {
    if (!(key in value) && field.default !== undefined) value[key] = field.default;
  }
  return value;
}

function toPlain(node: Node, at: At): Result {
  if (isAlias(node)) return toPlain(node.resolve(at.ctx.doc) as Node, at);
  if (isScalar(node)) {
    const v = scalarValue(node, at);
    if (typeof v === 'object' && v !== null && 'interpolated' in v)
      return (v as { interpolated: string }).interpolated;
    return v;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const v = toPlain(item as Node, {
        ...at,
        path: `${at.path}[${i}]`,
        offset: offsetOf(item as Node, at.offset),
      });
      if (v === INVALID) ok = false;
      out.push(v);
    });
    return ok ? out : INVALID;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const pair of node.items as Pair<Node, Node>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const v = toPlain(pair.value as Node, {
        ...at,
        path: `${at.path}.${key}`,
        offset: offsetOf(pair.value, at.offset),
      });
      if (v === INVALID) ok = false;
      out[key] = v ?? null;
    }
    return ok ? out : INVALID;
  }
  return undefined;
}

function describeNode(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return describeType(node.value);
  return 'something else';
}
