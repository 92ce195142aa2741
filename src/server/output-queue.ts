import type { Transport } from '../transport/transport.js';

/** Why a reader is too slow to keep. */
export type SlowConsumer =
  /** More than `maxOutputBytes` queued and not yet taken by the OS. */
  | { rule: 'output cap'; unsent: number }
  /** A write waited `writeTimeout` ms for 'drain'. */
  | { rule: 'write blocked'; unsent: number };

export interface OutputLimits {
  maxOutputBytes: number;
  writeTimeout: number;
}

/** The queue a transport's shared 'drain' listener stops the clock of. */
const QUEUE = Symbol('mpcrp.outputQueue');
type Queued = Transport & { [QUEUE]: OutputQueue };

/** Who hears about a slow consumer: the connection that owns the queue. */
export interface SlowConsumerHandler {
  slowConsumer(slow: SlowConsumer): void;
}

/**
 * One connection's outgoing frames between two flushes, and the two slow-consumer rules:
 * too many bytes unsent, or a write blocked too long. It only reports a slow consumer
 * (`owner.slowConsumer`); dropping it is the connection's decision.
 *
 * An idle connection's queue holds no array, no listener and no timer: the frames array
 * exists between a push and the flush, the write clock while a write is blocked, and the
 * 'drain' listener (one function shared by every queue) from the first blocked write on.
 * It is not taken off again: a busy reader blocks and drains many times a second, and
 * adding and removing a listener (and a closure) each time is work on the fan-out's path.
 */
export class OutputQueue {
  readonly #transport: Transport;
  readonly #limits: OutputLimits;
  readonly #owner: SlowConsumerHandler;
  #frames: Buffer[] | undefined;
  #bytes = 0;
  /** The transport's `writableLength` when this turn's first frame was queued. */
  #unflushed = 0;
  /** Runs while a write waits for 'drain'. */
  #writeTimer: NodeJS.Timeout | undefined;
  /** The shared 'drain' listener is on the transport. */
  #hooked = false;

  constructor(transport: Transport, limits: OutputLimits, owner: SlowConsumerHandler) {
    this.#transport = transport;
    this.#limits = limits;
    this.#owner = owner;
  }

  /**
   * Queues a frame. False, after reporting it, when the unsent bytes (this queue,
   * including this turn's, plus the transport's `writableLength`) pass `maxOutputBytes`.
   *
   * `writableLength` (a getter chain on a socket) is read once per turn, with the turn's
   * first frame: only flush() writes to the transport, so until then it can only shrink,
   * and the figure used stays an upper bound.
   */
  push(frame: Buffer): boolean {
    let frames = this.#frames;
    if (frames === undefined) {
      this.#unflushed = this.#transport.writableLength;
      // Grown by push, as a turn's frames usually are many: one backing store, not two.
      frames = this.#frames = [];
    }
    frames.push(frame);
    this.#bytes += frame.length;
    const unsent = this.#bytes + this.#unflushed;
    if (unsent <= this.#limits.maxOutputBytes) return true;
    this.#owner.slowConsumer({ rule: 'output cap', unsent });
    return false;
  }

  /**
   * Hands everything queued to the transport in one write. Several frames are joined into
   * one new Buffer; a lone frame is written as it is, unless it is a small view of a much
   * larger store (see {@link owned}).
   */
  flush(): void {
    const frames = this.#frames;
    if (frames === undefined || this.#transport.destroyed) return;
    const out = frames.length === 1 ? owned(frames[0]!) : Buffer.concat(frames, this.#bytes);
    this.#frames = undefined;
    this.#bytes = 0;
    if (!this.#transport.write(out) && this.#writeTimer === undefined) {
      // Above the transport's high-water mark: 'drain' must come within writeTimeout.
      this.#writeTimer = setTimeout(() => {
        this.#stopClock();
        this.#owner.slowConsumer({ rule: 'write blocked', unsent: this.#transport.writableLength });
      }, this.#limits.writeTimeout);
      this.#writeTimer.unref?.();
      if (!this.#hooked) {
        this.#hooked = true;
        (this.#transport as Queued)[QUEUE] = this;
        this.#transport.on('drain', OutputQueue.#onDrain);
      }
    }
  }

  // Called with the transport as `this`: a function expression, not a method.
  static readonly #onDrain = function (this: Transport): void {
    (this as Queued)[QUEUE].#stopClock();
  };

  /** Drops what is queued and stops the write clock. */
  clear(): void {
    this.#frames = undefined;
    this.#bytes = 0;
    this.#stopClock();
  }

  #stopClock(): void {
    clearTimeout(this.#writeTimer);
    this.#writeTimer = undefined;
  }
}

/**
 * `frame`, or a copy of it with a store of its own when it is less than half of its
 * backing store. Relayed Data are views of the chunk they were read in, and a write the
 * OS does not take at once keeps what it was given alive for as long as the reader takes:
 * a 100-byte Data read in one chunk with a 65,000-byte frame the server ignores would pin
 * the 65 KB against a cap that counts 100 bytes. Only a lone frame can get that far (the
 * frames of a busier turn are joined into a new Buffer), so the copy is made here, once
 * per write, and never on the fan-out's batched path. `allocUnsafeSlow`, not
 * `Buffer.from`: a pooled copy would keep a shared slab alive (64 KiB on Node 24).
 */
function owned(frame: Buffer): Buffer {
  if (frame.buffer.byteLength <= 2 * frame.length) return frame;
  const copy = Buffer.allocUnsafeSlow(frame.length);
  frame.copy(copy);
  return copy;
}
