import { FrameTooLargeError } from '../errors.js';
import { DEFAULT_MAX_PAYLOAD, type Frame, HEADER_SIZE, MAX_WIRE_PAYLOAD } from './types.js';

export interface FrameDecoderOptions {
  /** Largest payload accepted, in bytes. Default 64 KiB; at most 16,777,215 (the wire maximum). */
  maxPayload?: number;
}

/**
 * Streaming MPCRP frame decoder with no I/O. Feed it whatever the transport delivers;
 * it yields each complete frame. A frame that lies inside one chunk is returned as a
 * zero-copy view into that chunk; only a frame spanning chunks is copied.
 *
 * The announced length is checked against `maxPayload` as soon as the 4-byte header is
 * in, so a hostile peer can never make it buffer more than the limit. After that error
 * the decoder stays failed: the connection is not recoverable.
 *
 * @example
 * const decoder = new FrameDecoder({ maxPayload: 64 * 1024 });
 * socket.on('data', (chunk) => {
 *   for (const frame of decoder.push(chunk)) handle(frame.type, frame.payload);
 * });
 */
export class FrameDecoder {
  readonly maxPayload: number;
  #chunks: Buffer[] = [];
  /** Read position inside `#chunks[0]`. */
  #offset = 0;
  /** Unread bytes across all chunks. */
  #buffered = 0;
  #failure: FrameTooLargeError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    if (!Number.isInteger(max) || max < 0 || max > MAX_WIRE_PAYLOAD) {
      throw new RangeError(
        `maxPayload must be an integer from 0 to ${MAX_WIRE_PAYLOAD}, got ${max}`,
      );
    }
    this.maxPayload = max;
  }

  /** Bytes received but not yet returned as frames (a partial frame). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /**
   * Adds a chunk and yields every frame it completes, in order.
   * Throws {@link FrameTooLargeError} when a header announces more than `maxPayload`.
   */
  push(chunk: Buffer): Generator<Frame, void, undefined> {
    if (this.#failure) throw this.#failure;
    // Stored now, not when iteration starts, so a caller that does not loop loses nothing.
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    return this.#frames();
  }

  *#frames(): Generator<Frame, void, undefined> {
    while (this.#buffered >= HEADER_SIZE) {
      const first = this.#chunks[0]!;
      const off = this.#offset;
      const inFirst = first.length - off;
      let type: number;
      let length: number;
      if (inFirst >= HEADER_SIZE) {
        type = first[off]!;
        length = (first[off + 1]! << 16) | (first[off + 2]! << 8) | first[off + 3]!;
      } else {
        type = this.#peek(0);
        length = (this.#peek(1) << 16) | (this.#peek(2) << 8) | this.#peek(3);
      }
      if (length > this.maxPayload) {
        this.#failure = new FrameTooLargeError(length, this.maxPayload);
        this.#chunks = [];
        this.#buffered = 0;
        this.#offset = 0;
        throw this.#failure;
      }
      const total = HEADER_SIZE + length;
      if (this.#buffered < total) return;

      let payload: Buffer;
      if (inFirst >= total) {
        payload = first.subarray(off + HEADER_SIZE, off + total);
        if (inFirst === total) {
          this.#chunks.shift();
          this.#offset = 0;
        } else {
          this.#offset = off + total;
        }
        this.#buffered -= total;
      } else {
        this.#skip(HEADER_SIZE);
        payload = this.#copy(length);
      }
      yield { type, payload };
    }
  }

  /** Byte at `index` past the read position, walking chunk boundaries. */
  #peek(index: number): number {
    let i = index + this.#offset;
    for (const c of this.#chunks) {
      if (i < c.length) return c[i]!;
      i -= c.length;
    }
    throw new RangeError('peek past buffered data');
  }

  #skip(n: number): void {
    this.#consume(n, undefined);
  }

  #copy(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.#consume(n, out);
    return out;
  }

  #consume(n: number, into: Buffer | undefined): void {
    let written = 0;
    while (written < n) {
      const c = this.#chunks[0]!;
      const take = Math.min(n - written, c.length - this.#offset);
      if (into) c.copy(into, written, this.#offset, this.#offset + take);
      written += take;
      this.#offset += take;
      if (this.#offset === c.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    this.#buffered -= n;
  }
}
