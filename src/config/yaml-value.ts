// The YAML document as plain data, `${VAR}` already spliced in, and the way back from a path
// in that data to the node's place in the source (for FILE:LINE:COL).
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { interpolate } from './interpolate.js';
import { type Path, type Segment, scalarTypesAt, schemaAt, showPath } from './schema-pass.js';

export interface ReadCtx {
  doc: Document;
  source: string;
  env: Record<string, string | undefined>;
  secretValues: Set<string>;
  /** A problem at a source offset. */
  report(offset: number, message: string): void;
  /** Paths whose interpolation failed: later checks leave them alone. */
  failed: Path[];
}

function resolved(node: unknown, doc: Document): Node | undefined {
  const n = isAlias(node) ? node.resolve(doc) : node;
  return (n ?? undefined) as Node | undefined;
}

/**
 * Plain data of `node`. Empty values of known keys count as absent (as `key:` reads); a string
 * that comes from the environment is read as a number or boolean where the schema wants one.
 */
export function plainValue(node: unknown, path: Segment[], ctx: ReadCtx): unknown {
  const n = resolved(node, ctx.doc);
  if (n === undefined) return null;
  if (isSeq(n)) return n.items.map((item, i) => plainValue(item, [...path, i], ctx));
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const pair of n.items as Pair[]) {
      const keyNode = resolved(pair.key, ctx.doc);
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const value = plainValue(pair.value, [...path, key], ctx);
      // Unknown keys and free-form data (bot options) keep their nulls.
      if (value !== null || schemaAt([...path, key]) === undefined) out[key] = value;
    }
    return out;
  }
  if (!isScalar(n)) return null;
  const value = n.value;
  if (typeof value !== 'string') return value;
  const result = interpolate(value, ctx.env);
  if (result.problems.length > 0) {
    const offset = n.range?.[0] ?? 0;
    const raw = n.range ? ctx.source.slice(n.range[0], n.range[1]) : '';
    for (const p of result.problems) {
      // Point at the `${` itself when the source spells it as written (plain or simple quotes).
      const token = value.slice(p.index, value.indexOf('}', p.index) + 1 || undefined);
      const found = token ? raw.indexOf(token) : -1;
      ctx.report(
        found >= 0 ? offset + found : offset,
        `${showPath(path)}: ${p.problem} (expected ${p.expected})`,
      );
    }
    ctx.failed.push(path);
    return value;
  }
  if (result.fromEnv && result.value !== '') ctx.secretValues.add(result.value);
  if (!result.interpolated) return result.value;
  const text = result.value;
  const types = scalarTypesAt(path);
  if ((types.includes('number') || types.includes('integer')) && /^\s*-?\d+(\.\d+)?\s*$/.test(text))
    return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Source offset of the value at `path` (or of its key), for pointing at a problem. */
export function offsetAt(doc: Document, path: Path, key = false): number {
  let node = resolved(doc.contents, doc);
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const s = path[i]!;
    if (isSeq(node) && typeof s === 'number') {
      node = resolved(node.items[s], doc);
      offset = node?.range?.[0] ?? offset;
    } else if (isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => {
        const k = resolved(p.key, doc);
        return isScalar(k) ? String(k.value) === String(s) : String(k) === String(s);
      });
      if (!pair) break;
      const keyNode = resolved(pair.key, doc);
      const valueNode = resolved(pair.value, doc);
      if (key && i === path.length - 1) return keyNode?.range?.[0] ?? offset;
      offset = valueNode?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
      node = valueNode;
    } else break;
  }
  return offset;
}
