import type { Logger } from '../../log.js';

export interface HeldMessage {
  channel: string;
  message: Buffer;
}

/**
 * Cross-node messages published while Redis is away (or while the cluster settles after
 * it came back), sent in order once it is back. Bounded by count and bytes: past either
 * bound new messages are dropped, counted, and the first drop of an outage is logged.
 */
export class HeldMessages {
  #queue: HeldMessage[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
    readonly log: Logger,
  ) {}

  get size(): number {
    return this.#queue.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Messages dropped since the last {@link take}. */
  get dropped(): number {
    return this.#dropped;
  }

  hold(channel: string, message: Buffer): void {
    if (this.#queue.length >= this.maxMessages || this.#bytes + message.length > this.maxBytes) {
      if (this.#dropped++ === 0) {
        this.log.warn('cluster: held-message bound reached, dropping cross-node messages', {
          held: this.#queue.length,
          heldBytes: this.#bytes,
          maxHeldMessages: this.maxMessages,
          maxHeldBytes: this.maxBytes,
        });
      }
      return;
    }
    this.#queue.push({ channel, message });
    this.#bytes += message.length;
  }

  /** Everything held, oldest first, and how many were dropped; the queue starts over. */
  take(): { messages: HeldMessage[]; dropped: number } {
    const taken = { messages: this.#queue, dropped: this.#dropped };
    this.#queue = [];
    this.#bytes = 0;
    this.#dropped = 0;
    return taken;
  }
}
