import { FrameTooLargeError } from '../errors.js';
import { DEFAULT_MAX_PAYLOAD, type Frame, HEADER_SIZE, MAX_WIRE_PAYLOAD } from './types.js';

export interface FrameDecoderOptions {
  /** Largest payload accepted, in bytes. Default 64 KiB; at most 16,777,215 (the wire maximum). */
  maxPayload?: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * One decoded frame, read in place: the payload is `buffer` from `start` to `end`, the
 * frame's 4-byte header the bytes just before `start`. {@link FrameDecoder} is one (its
 * current frame), so a consumer can take frames without an object per frame.
 *
 * @example
 * function roomOf(frame: FrameView): string {
 *   const { buffer, start } = frame;
 *   return buffer.toString('utf8', start + 1, start + 1 + buffer[start]!);
 * }
 */
export interface FrameView {
  readonly type: number;
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * Streaming MPCRP frame decoder with no I/O. Feed it whatever the transport delivers and
 * read the frames back, in one of two ways:
 *
 * - the cursor: `write(chunk)`, then `while (decoder.next())` read `type`, and the
 *   payload as `buffer` from `start` to `end`. Nothing is allocated per frame: a frame
 *   inside one chunk is read in place, only a frame spanning chunks is copied (once);
 * - `push(chunk)`, a generator of `{ type, payload }` objects built on the cursor, for
 *   callers that would rather iterate (each payload a Buffer view, zero-copy as above).
 *
 * Either way `buffer` holds the whole frame, header included, from `start - 4` to `end`,
 * so a relay can forward the received bytes as they are.
 *
 * The announced length is checked against `maxPayload` as soon as the 4-byte header is
 * in, so a hostile peer can never make it buffer more than the limit. After that error
 * the decoder stays failed: the connection is not recoverable.
 *
 * @example
 * const decoder = new FrameDecoder({ maxPayload: 64 * 1024 });
 * socket.on('data', (chunk) => {
 *   decoder.write(chunk);
 *   while (decoder.next()) handle(decoder.type, decoder.buffer, decoder.start, decoder.end);
 * });
 * // or, one object per frame:
 * socket.on('data', (chunk) => {
 *   for (const frame of decoder.push(chunk)) handle(frame.type, frame.payload);
 * });
 */
export class FrameDecoder implements FrameView {
  readonly maxPayload: number;
  /** The chunk being read (EMPTY when none); its bytes before `#pos` are consumed. */
  #head: Buffer = EMPTY;
  #pos = 0;
  /** Chunks written after `#head`, in order; never empty ones. */
  #rest: Buffer[] = [];
  /** Bytes in `#rest`. */
  #restBytes = 0;
  #failure: FrameTooLargeError | undefined;
  /** The current frame: the whole frame lies in `#buffer` from `#start - 4` to `#end`. */
  #buffer: Buffer = EMPTY;
  #start = HEADER_SIZE;
  #end = HEADER_SIZE;

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
    return this.#head.length - this.#pos + this.#restBytes;
  }

  /** Type of the current frame (after {@link next} returned true). */
  get type(): number {
    return this.#buffer[this.#start - HEADER_SIZE]!;
  }

  /**
   * Holds the current frame's payload from {@link start} to {@link end} (and its header in
   * the 4 bytes before `start`). The received chunk itself when the frame lay inside it,
   * else a copy; never changed later by the decoder, so it may be kept.
   */
  get buffer(): Buffer {
    return this.#buffer;
  }

  /** Offset of the current frame's payload in {@link buffer}. */
  get start(): number {
    return this.#start;
  }

  /** Offset just past the current frame's payload in {@link buffer}. */
  get end(): number {
    return this.#end;
  }

  /**
   * Adds a chunk to read frames from with {@link next}. Stored as it is (not copied): do
   * not change it afterwards. Throws the decoder's {@link FrameTooLargeError} once failed.
   */
  write(chunk: Buffer): void {
    if (this.#failure) throw this.#failure;
    if (chunk.length === 0) return;
    if (this.#pos === this.#head.length && this.#restBytes === 0) {
      this.#head = chunk;
      this.#pos = 0;
    } else {
      this.#rest.push(chunk);
      this.#restBytes += chunk.length;
    }
  }

  /**
   * Moves to the next complete frame: true when there is one (read it through `type`,
   * `buffer`, `start`, `end` before the next call), false when more bytes are needed.
   * Throws {@link FrameTooLargeError} when a header announces more than `maxPayload`, and
   * on every call after that.
   */
  next(): boolean {
    const head = this.#head;
    const pos = this.#pos;
    if (head.length - pos >= HEADER_SIZE) {
      const length = (head[pos + 1]! << 16) | (head[pos + 2]! << 8) | head[pos + 3]!;
      const end = pos + HEADER_SIZE + length;
      if (end <= head.length && length <= this.maxPayload) {
        this.#buffer = head;
        this.#start = pos + HEADER_SIZE;
        this.#end = end;
        if (end === head.length) this.#advance();
        else this.#pos = end;
        return true;
      }
    }
    return this.#nextSpanning();
  }

  /**
   * Adds a chunk and yields every frame it completes, in order, each as a new object.
   * The chunk is stored at once, even if the generator is never iterated. Throws
   * {@link FrameTooLargeError} when a header announces more than `maxPayload`.
   */
  push(chunk: Buffer): Generator<Frame, void, undefined> {
    this.write(chunk);
    return this.#frames();
  }

  *#frames(): Generator<Frame, void, undefined> {
    while (this.next()) {
      const start = this.#start;
      yield {
        type: this.#buffer[start - HEADER_SIZE]!,
        payload: this.#buffer.subarray(start, this.#end),
      };
    }
  }

  /** The slow path of {@link next}: a header or frame across chunks, too large, or too few bytes. */
  #nextSpanning(): boolean {
    if (this.#failure) throw this.#failure;
    if (this.bufferedBytes < HEADER_SIZE) return false;
    const length = (this.#peek(1) << 16) | (this.#peek(2) << 8) | this.#peek(3);
    if (length > this.maxPayload) {
      this.#failure = new FrameTooLargeError(length, this.maxPayload);
      this.#head = EMPTY;
      this.#pos = 0;
      this.#rest = [];
      this.#restBytes = 0;
      throw this.#failure;
    }
    const total = HEADER_SIZE + length;
    if (this.bufferedBytes < total) return false;
    // Header included, so the copy is a whole frame like an in-chunk one.
    const copy = Buffer.allocUnsafe(total);
    let written = 0;
    while (written < total) {
      const head = this.#head;
      const take = Math.min(total - written, head.length - this.#pos);
      head.copy(copy, written, this.#pos, this.#pos + take);
      written += take;
      this.#pos += take;
      if (this.#pos === head.length) this.#advance();
    }
    this.#buffer = copy;
    this.#start = HEADER_SIZE;
    this.#end = total;
    return true;
  }

  /** `#head` is read to the end: moves on to the next chunk, if any. */
  #advance(): void {
    const next = this.#rest.shift();
    if (next === undefined) {
      this.#head = EMPTY;
    } else {
      this.#head = next;
      this.#restBytes -= next.length;
    }
    this.#pos = 0;
  }

  /** Byte at `index` past the read position, walking chunk boundaries. */
  #peek(index: number): number {
    let i = index + this.#pos;
    if (i < this.#head.length) return this.#head[i]!;
    i -= this.#head.length;
    for (const c of this.#rest) {
      if (i < c.length) return c[i]!;
      i -= c.length;
    }
    throw new RangeError('peek past buffered data');
  }
}
