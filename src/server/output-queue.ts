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

/**
 * One connection's outgoing frames between two flushes, and the two slow-consumer rules:
 * too many bytes unsent, or a write blocked too long. It only reports a slow consumer
 * (`onSlow`); dropping it is the connection's decision.
 */
export class OutputQueue {
  readonly #transport: Transport;
  readonly #limits: OutputLimits;
  readonly #onSlow: (slow: SlowConsumer) => void;
  #frames: Buffer[] = [];
  #bytes = 0;
  /** The transport's `writableLength` when this turn's first frame was queued. */
  #unflushed = 0;
  /** Runs while a write waits for 'drain'. */
  #writeTimer: NodeJS.Timeout | undefined;

  constructor(transport: Transport, limits: OutputLimits, onSlow: (slow: SlowConsumer) => void) {
    this.#transport = transport;
    this.#limits = limits;
    this.#onSlow = onSlow;
    transport.on('drain', () => {
      clearTimeout(this.#writeTimer);
      this.#writeTimer = undefined;
    });
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
    if (this.#frames.length === 0) this.#unflushed = this.#transport.writableLength;
    this.#frames.push(frame);
    this.#bytes += frame.length;
    const unsent = this.#bytes + this.#unflushed;
    if (unsent <= this.#limits.maxOutputBytes) return true;
    this.#onSlow({ rule: 'output cap', unsent });
    return false;
  }

  /** Hands everything queued to the transport in one write. */
  flush(): void {
    if (this.#frames.length === 0 || this.#transport.destroyed) return;
    const out =
      this.#frames.length === 1 ? this.#frames[0]! : Buffer.concat(this.#frames, this.#bytes);
    this.#frames = [];
    this.#bytes = 0;
    if (!this.#transport.write(out) && this.#writeTimer === undefined) {
      // Above the transport's high-water mark: 'drain' must come within writeTimeout.
      this.#writeTimer = setTimeout(() => {
        this.#writeTimer = undefined;
        this.#onSlow({ rule: 'write blocked', unsent: this.#transport.writableLength });
      }, this.#limits.writeTimeout);
      this.#writeTimer.unref?.();
    }
  }

  /** Drops what is queued and stops the write clock. */
  clear(): void {
    this.#frames = [];
    this.#bytes = 0;
    clearTimeout(this.#writeTimer);
    this.#writeTimer = undefined;
  }
}
