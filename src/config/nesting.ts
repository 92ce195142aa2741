// The YAML parser recurses once per nesting level and spends seconds on a few KB of
// `[[[[...` before it runs out of stack. No config nests more than a handful of levels, so a
// linear scan refuses deep nesting before the parser sees it.

/** Default for {@link nestingProblem}. */
export const MAX_NESTING = 64;

/**
 * Source offset where `text` nests flow collections (`[`, `{`) or compact block entries
 * (`- - -` on one line) deeper than `max`, else `undefined`. Quoted strings and comments
 * are skipped; a stray bracket in plain text counts, which only matters past `max` of them.
 */
export function nestingProblem(text: string, max = MAX_NESTING): number | undefined {
  let depth = 0;
  let lineStart = true;
  let compact = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const before = i === 0 ? '\n' : text[i - 1]!;
    if (c === '\n') {
      lineStart = true;
      compact = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '\t') continue;
      if ((c === '-' || c === '?') && /\s/.test(text[i + 1] ?? '\n')) {
        if (++compact > max) return i;
        continue;
      }
      lineStart = false;
    }
    if (c === '#' && /\s/.test(before)) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end - 1;
    } else if ((c === '"' || c === "'") && /[\s[{,:]/.test(before)) {
      // Skip to the closing quote ('' and \" are escapes inside).
      let j = i + 1;
      while (j < text.length) {
        if (c === '"' && text[j] === '\\') j += 2;
        else if (text[j] === c) {
          if (c === "'" && text[j + 1] === "'") j += 2;
          else break;
        } else j += 1;
      }
      i = j;
    } else if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth -= 1;
    }
  }
  return undefined;
}
