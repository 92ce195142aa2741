import { type Frame, FrameDecoder } from '../../src/protocol/index.js';

/** Bytes from a hex string; white space is ignored so fixtures can group fields. */
export function hex(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(clean)) throw new Error(`bad hex fixture: ${text}`);
  return Buffer.from(clean, 'hex');
}

/**
 * Cuts `bytes` at the given positions (any integers; taken modulo length + 1, sorted,
 * de-duplicated). Each piece is a fresh copy, as a socket would deliver it.
 */
export function chunkAt(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.abs(c) % (bytes.length + 1)))].sort(
    (a, b) => a - b,
  );
  const out: Buffer[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    if (at > from) out.push(Buffer.from(bytes.subarray(from, at)));
    from = at;
  }
  return out;
}

/** Feeds every chunk and returns the frames, each payload copied so later pushes cannot alias. */
export function feed(decoder: FrameDecoder, chunks: readonly Buffer[]): Frame[] {
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    for (const frame of decoder.push(chunk)) {
      frames.push({ type: frame.type, payload: Buffer.from(frame.payload) });
    }
  }
  return frames;
}

/** One byte per chunk. */
export function byteByByte(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, (b) => Buffer.from([b]));
}

/** Decodes a whole byte string with a fresh decoder. */
export function decodeAll(bytes: Uint8Array, maxPayload?: number): Frame[] {
  return feed(new FrameDecoder({ maxPayload }), [Buffer.from(bytes)]);
}

/** A buffer that owns its own ArrayBuffer (never Node's shared pool), for identity checks. */
export function ownBuffer(bytes: Uint8Array): Buffer {
  const buf = Buffer.alloc(bytes.length);
  buf.set(bytes);
  return buf;
}
