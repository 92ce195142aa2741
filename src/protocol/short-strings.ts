// UTF-8 for the short strings every Data frame carries (room, sender, a chat line), without
// a call into C++ per string where JavaScript does it faster. Buffer.byteLength and
// buf.write cost ~100 ns each however short the string (argument checks, encoding lookup,
// the crossing into C++); a loop over 16 ASCII characters costs a few ns. Pure: no I/O.

/** Longest string the ASCII loops handle; past it the native calls win. */
const SHORT = 128;

/**
 * `text`'s length in bytes when it is short and all ASCII (one byte per UTF-16 unit),
 * else -1: measure it with Buffer.byteLength and write it with buf.write.
 */
export function shortAsciiLength(text: string): number {
  const n = text.length;
  if (n > SHORT) return -1;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 0x7f) return -1;
  return n;
}

/** Writes the ASCII string `text` (checked by {@link shortAsciiLength}) at `at`; returns the end. */
export function writeAscii(out: Buffer, text: string, at: number): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** Longest name a {@link NameMemo} remembers (room IDs and usernames are short). */
const MEMO_BYTES = 64;

/**
 * The string of the last bytes it decoded, handed out again while the same bytes come:
 * a busy room's frames repeat its ID and their few senders' names, and comparing a few
 * bytes costs a fraction of decoding them (~20 against ~120 ns). One memo per field.
 */
export class NameMemo {
  #bytes = Buffer.allocUnsafe(MEMO_BYTES);
  #length = -1;
  #text = '';

  /** `buffer[start, end)` as UTF-8. */
  decode(buffer: Buffer, start: number, end: number): string {
    const n = end - start;
    if (n === this.#length) {
      const bytes = this.#bytes;
      let i = 0;
      while (i < n && buffer[start + i] === bytes[i]) i++;
      if (i === n) return this.#text;
    }
    const text = buffer.toString('utf8', start, end);
    if (n <= MEMO_BYTES) {
      const bytes = this.#bytes;
      for (let i = 0; i < n; i++) bytes[i] = buffer[start + i]!;
      this.#length = n;
      this.#text = text;
    }
    return text;
  }
}
