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
