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
 * A frame spanning chunks is assembled into one buffer of its announced size, allocated
 * when its header is complete, and each chunk's part is copied in as it is read; the
 * chunks themselves are not kept. However finely a peer splits a frame (one byte per TCP
 * segment), assembling it costs time linear in its size and memory of the frame itself,
 * never a Buffer per chunk.
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
  /**
   * Chunks written after `#head` and not read yet, from `#restIndex` on: an index, not
   * `shift()`, so taking the next chunk costs the same however many wait. Undefined while
   * none wait (most of the time: an idle connection keeps no array).
   */
  #rest: Buffer[] | undefined;
  #restIndex = 0;
  /** Bytes in `#rest` from `#restIndex` on. */
  #restBytes = 0;
  /**
   * The frame being assembled across chunks, at its full size (header included), filled
   * up to `#filled`; or `#headerPart` while a header itself is split. Undefined between frames.
   */
  #partial: Buffer | undefined;
  #filled = 0;
  /** Scratch for a header split across chunks; allocated on first need. */
  #headerPart: Buffer | undefined;
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

  /** Bytes received but not yet returned as frames (a partial frame, or frames not read yet). */
  get bufferedBytes(): number {
    return this.#filled + this.#head.length - this.#pos + this.#restBytes;
  }

  /** Type of the current frame (after {@link next} returned true). */
  get type(): number {
    return this.#buffer[this.#start - HEADER_SIZE]!;
  }

  /**
   * Holds the current frame's payload from {@link start} to {@link end} (and its header in
   * the 4 bytes before `start`). The received chunk itself when the frame lay inside it,
   * else a buffer of exactly the frame; never changed later by the decoder, so it may be kept.
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
    if (this.#pos === this.#head.length && this.#rest === undefined) {
      this.#head = chunk;
      this.#pos = 0;
    } else {
      if (this.#rest === undefined) this.#rest = [chunk];
      else this.#rest.push(chunk);
      this.#restBytes += chunk.length;
    }
  }

  /**
   * Moves to the next complete frame: true when there is one (read it through `type`,
   * `buffer`, `start`, `end` before the next call), false when more bytes are needed (and
   * then `buffer` is empty: the decoder keeps no chunk it has read to the end).
   * Throws {@link FrameTooLargeError} when a header announces more than `maxPayload`, and
   * on every call after that.
   */
  next(): boolean {
    const head = this.#head;
    const pos = this.#pos;
    if (this.#partial === undefined && head.length - pos >= HEADER_SIZE) {
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

  /**
   * The slow path of {@link next}: a header or frame across chunks, too large, or too few
   * bytes. Each pass copies what the current chunk holds of the frame, so a frame costs
   * one copy of its bytes whatever the number of chunks.
   */
  #nextSpanning(): boolean {
    if (this.#failure) throw this.#failure;
    for (;;) {
      const head = this.#head;
      const available = head.length - this.#pos;
      if (available === 0) {
        if (this.#advance()) continue;
        // Nothing left to read: let go of the last frame's chunk, which an idle
        // connection would otherwise hold for as long as it stays open.
        this.#buffer = EMPTY;
        this.#start = HEADER_SIZE;
        this.#end = HEADER_SIZE;
        return false;
      }
      const partial = this.#partial;
      if (partial === undefined) {
        if (available < HEADER_SIZE) {
          this.#headerPart ??= Buffer.allocUnsafe(HEADER_SIZE);
          this.#partial = this.#headerPart;
        } else {
          // A whole header here: the frame is either in this chunk or starts one to assemble.
          const pos = this.#pos;
          const length = (head[pos + 1]! << 16) | (head[pos + 2]! << 8) | head[pos + 3]!;
          this.#check(length);
          if (pos + HEADER_SIZE + length <= head.length) return this.next();
          this.#partial = Buffer.allocUnsafe(HEADER_SIZE + length);
        }
        this.#filled = 0;
        continue;
      }
      const take = Math.min(partial.length - this.#filled, available);
      if (take <= 16) {
        // A few bytes (a trickle): a loop beats Buffer#copy, which allocates per call.
        for (let i = 0; i < take; i++) partial[this.#filled + i] = head[this.#pos + i]!;
      } else {
        head.copy(partial, this.#filled, this.#pos, this.#pos + take);
      }
      this.#filled += take;
      this.#pos += take;
      if (this.#filled < partial.length) continue;
      if (partial === this.#headerPart) {
        // The split header is in: check it, then assemble the frame behind it.
        const length = (partial[1]! << 16) | (partial[2]! << 8) | partial[3]!;
        this.#check(length);
        const frame = Buffer.allocUnsafe(HEADER_SIZE + length);
        partial.copy(frame, 0, 0, HEADER_SIZE);
        this.#partial = frame;
        if (length > 0) continue;
      }
      const frame = this.#partial!;
      this.#partial = undefined;
      this.#filled = 0;
      if (this.#pos === head.length) this.#advance();
      this.#buffer = frame;
      this.#start = HEADER_SIZE;
      this.#end = frame.length;
      return true;
    }
  }

  /** Fails the decoder (for good) when a header announces more than `maxPayload`. */
  #check(length: number): void {
    if (length <= this.maxPayload) return;
    this.#failure = new FrameTooLargeError(length, this.maxPayload);
    this.#head = EMPTY;
    this.#pos = 0;
    this.#rest = undefined;
    this.#restIndex = 0;
    this.#restBytes = 0;
    this.#partial = undefined;
    this.#filled = 0;
    throw this.#failure;
  }

  /** `#head` is read to the end: moves on to the next chunk; false when there is none. */
  #advance(): boolean {
    this.#pos = 0;
    const rest = this.#rest;
    if (rest === undefined) {
      this.#head = EMPTY;
      return false;
    }
    const next = rest[this.#restIndex]!;
    rest[this.#restIndex++] = EMPTY; // keep no reference to a chunk already read
    this.#restBytes -= next.length;
    this.#head = next;
    if (this.#restIndex === rest.length) {
      this.#rest = undefined;
      this.#restIndex = 0;
    } else if (this.#restIndex >= 1024 && this.#restIndex * 2 >= rest.length) {
      // Written to while being read: drop the read slots now and then (amortised O(1)).
      this.#rest = rest.slice(this.#restIndex);
      this.#restIndex = 0;
    }
    return true;
  }
}
