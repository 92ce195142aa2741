// YAML aliases (`*name`) let a few bytes stand for a huge tree (the "billion laughs"), and an
// alias inside its own anchor makes a cycle. This pass measures both on the parsed document,
// in time linear in the source, before anything expands an alias.
import { type Document, isAlias, isCollection, isPair, visit } from 'yaml';

/** Default for {@link aliasProblem}'s `maxAliasValues`. */
export const MAX_ALIAS_VALUES = 10_000;

export interface AliasProblem {
  /** Source offset of the alias to point at. */
  offset: number;
  message: string;
}

/**
 * Why the document's aliases are unsafe to expand, or `undefined`: an alias inside the node
 * it refers to (a cycle), or aliases that together expand to more than `maxAliasValues`
 * values (scalars, lists and mappings, each counted once per time it is reached).
 */
export function aliasProblem(
  doc: Document,
  maxAliasValues = MAX_ALIAS_VALUES,
): AliasProblem | undefined {
  let cycle: AliasProblem | undefined;
  let first: number | undefined;
  visit(doc, {
    Alias(_key, alias, path) {
      const target = alias.resolve(doc);
      first ??= alias.range?.[0] ?? 0;
      if (target !== undefined && path.includes(target as never)) {
        cycle = {
          offset: alias.range?.[0] ?? 0,
          message: `the alias *${alias.source} is inside its own anchor &${alias.source}, a cycle (expected an alias of a node defined before it, outside it)`,
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (cycle) return cycle;
  if (first === undefined) return undefined;

  // Values reached from each node once aliases are expanded, memoised per node: linear.
  const sizes = new Map<unknown, number>();
  const cap = maxAliasValues + 1;
  const sizeOf = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let size = 1;
    if (isAlias(node)) size = sizeOf(node.resolve(doc));
    else if (isPair(node)) size = sizeOf(node.key) + sizeOf(node.value);
    else if (isCollection(node)) {
      for (const item of node.items) size = Math.min(Number.MAX_SAFE_INTEGER, size + sizeOf(item));
    }
    sizes.set(node, size);
    return size;
  };
  // What aliases add: the expanded size of each alias, wherever it sits.
  let expanded = 0;
  visit(doc, {
    Alias(_key, alias) {
      expanded += sizeOf(alias.resolve(doc));
      return expanded >= cap ? visit.BREAK : undefined;
    },
  });
  if (expanded < cap) return undefined;
  return {
    offset: first,
    message: `the file's aliases expand to more than ${maxAliasValues} values, which looks like a YAML alias bomb (expected fewer, smaller aliases; write the values out)`,
  };
}
