export interface SplitTextOptions {
  /**
   * Keep the line break or space at the end of the piece it ends, so the pieces join back
   * to the exact text (`send --split` of a file). By default it is dropped, which reads
   * better in a chat.
   */
  keepBreaks?: boolean;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, preferring to cut at a
 * line break, then at white space, and only then between two characters (never inside
 * one). Text that fits is returned as it is, in a one-element array.
 *
 * @example
 * splitText('one two three', 8); // ['one two', 'three']
 * splitText('one two three', 8, { keepBreaks: true }); // ['one two ', 'three']
 */
export function splitText(
  text: string,
  maxBytes: number,
  options: SplitTextOptions = {},
): string[] {
  if (maxBytes < 4) throw new RangeError(`maxBytes must be at least 4, got ${maxBytes}`);
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const keep = options.keepBreaks === true;
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    const fit = prefixThatFits(rest, maxBytes);
    const [end, next] = breakPoint(rest, fit, keep);
    pieces.push(rest.slice(0, end));
    rest = rest.slice(next);
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

/** Length (in UTF-16 units) of the longest prefix of whole characters within `maxBytes`. */
function prefixThatFits(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += ch.length;
  }
  return i;
}

/**
 * Where to cut within the first `fit` units (a line break, else white space, else `fit`):
 * the end of this piece and the start of the next.
 */
function breakPoint(text: string, fit: number, keep: boolean): [number, number] {
  // Dropping the break, the character just past the prefix may be it; keeping it, the
  // break must fit in the piece.
  const head = text.slice(0, keep ? fit : fit + 1);
  // A cut very near the start would make many tiny messages; only take one past a quarter.
  const newline = head.lastIndexOf('\n');
  if (newline >= fit / 4) {
    if (keep) return [newline + 1, newline + 1];
    return [text[newline - 1] === '\r' ? newline - 1 : newline, newline + 1];
  }
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'));
  if (space >= fit / 4) return keep ? [space + 1, space + 1] : [space, space + 1];
  return [fit, fit];
}
