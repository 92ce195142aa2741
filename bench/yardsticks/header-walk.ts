/**
 * Yardstick: the least work that can find MPCRP frames in a stream of chunks. It reads
 * each 4-byte header (also when one straddles two chunks) and skips the payload, nothing
 * else. A decoder that also hands out payloads is measured against it.
 */
export function headerWalk(chunks: readonly Buffer[]): { frames: number; payloadBytes: number } {
  let frames = 0;
  let payloadBytes = 0;
  let skip = 0; // payload bytes of the current frame still to pass over
  let partial = 0; // header bytes seen of a header split across chunks
  let length = 0;
  for (const chunk of chunks) {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (skip > 0) {
        const take = Math.min(skip, end - at);
        at += take;
        skip -= take;
        if (skip === 0) frames++;
        continue;
      }
      if (partial === 0 && at + 4 <= end) {
        length = (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!;
        at += 4;
      } else {
        if (partial > 0) length = (length << 8) | chunk[at]!;
        else length = 0;
        at++;
        if (++partial < 4) continue;
        partial = 0;
        length &= 0xffffff;
      }
      payloadBytes += length;
      if (length === 0) frames++;
      else skip = length;
    }
  }
  return { frames, payloadBytes };
}

/**
 * The header walk plus one Buffer view per payload that lies inside a chunk: the least any
 * decoder that hands out payloads as Buffers must do. Not a goal's yardstick; it shows how
 * much of a decoder's cost is that view rather than the decoder itself.
 */
export function headerWalkWithViews(chunks: readonly Buffer[]): number {
  let viewed = 0;
  let skip = 0;
  let partial = 0;
  let length = 0;
  for (const chunk of chunks) {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (skip > 0) {
        const take = Math.min(skip, end - at);
        at += take;
        skip -= take;
        continue;
      }
      if (partial === 0 && at + 4 <= end) {
        length = (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!;
        at += 4;
        if (at + length <= end) {
          viewed += chunk.subarray(at, at + length).length >= 0 ? 1 : 0;
          at += length;
          continue;
        }
      } else {
        length = partial > 0 ? (length << 8) | chunk[at]! : 0;
        at++;
        if (++partial < 4) continue;
        partial = 0;
        length &= 0xffffff;
      }
      skip = length;
    }
  }
  return viewed;
}
