/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, preferring to cut after
 * at a line break, then at white space, and only then between two characters (never inside
 * one). The line break or space cut at is dropped. Text that fits is returned as it is,
 * in a one-element array.
 *
 * @example
 * splitText('one two three', 8); // ['one two', 'three']
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError(`maxBytes must be at least 4, got ${maxBytes}`);
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    const fit = prefixThatFits(rest, maxBytes);
    const [end, next] = breakPoint(rest, fit);
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
 * the end of this piece and the start of the next, which skips the break character.
 */
function breakPoint(text: string, fit: number): [number, number] {
  // The character just past the prefix counts too: a break there needs no character cut.
  const head = text.slice(0, fit + 1);
  // A cut very near the start would make many tiny messages; only take one past a quarter.
  const newline = head.lastIndexOf('\n');
  if (newline >= fit / 4) {
    return [text[newline - 1] === '\r' ? newline - 1 : newline, newline + 1];
  }
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'));
  if (space >= fit / 4) return [space, space + 1];
  return [fit, fit];
}
