/**
 * Cuts `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character, and
 * at the last line break or space of a piece when there is one in its second half.
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError(`maxBytes must be at least 4, got ${maxBytes}`);
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    let end = 0;
    let bytes = 0;
    for (const ch of rest) {
      const size = Buffer.byteLength(ch);
      if (bytes + size > maxBytes) break;
      bytes += size;
      end += ch.length;
    }
    const head = rest.slice(0, end);
    const breakAt = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
    if (breakAt >= end / 2) end = breakAt + 1;
    pieces.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  if (rest !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}
