import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { HeldMessages } from './held.js';
import { decodeWire, type Kind, type WireEncoder, type WireMessage } from './wire.js';

const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Inter-node fan-out over Redis pub/sub. Each room has its own sharded channel
 * (SSUBSCRIBE/SPUBLISH), and a node subscribes to a room's channel only while it serves a
 * member of it, so a room's message is published once and reaches only the nodes that
 * deliver it; each of those then uses the ordinary single-node fan-out.
 *
 * The subscriber connection is ioredis's, which subscribes again to every channel after a
 * reconnect. While Redis is away (and until the other nodes are back after it), outgoing
 * messages are held, bounded, and published in order afterwards.
 */
export class ClusterBus {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #encoder: WireEncoder;
  readonly #held: HeldMessages;
  readonly #onMessage: (message: WireMessage) => void;
  /** Room -> reasons to stay subscribed (local members, joins in flight). */
  readonly #refs = new Map<string, number>();
  #holding = false;
  #warnedVersion = false;
  /** Room -> this turn's relayed frames, published as one message at the end of the turn. */
  #relays = new Map<string, { entries: Buffer[]; bytes: number }>();
  #relayScheduled = false;

  constructor(init: {
    pub: Redis;
    sub: Redis;
    prefix: string;
    log: Logger;
    encoder: WireEncoder;
    maxHeldMessages: number;
    maxHeldBytes: number;
    onMessage: (message: WireMessage) => void;
  }) {
    this.#pub = init.pub;
    this.#sub = init.sub;
    this.#prefix = init.prefix;
    this.#log = init.log;
    this.#encoder = init.encoder;
    this.#onMessage = init.onMessage;
    this.#held = new HeldMessages(init.maxHeldMessages, init.maxHeldBytes, init.log);
    this.#sub.on('smessageBuffer', (_channel: Buffer, message: Buffer) => this.#receive(message));
    this.#sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.#receive(message));
  }

  get controlChannel(): string {
    return `${this.#prefix}ctl`;
  }

  roomChannel(room: string): string {
    return `${this.#prefix}r:${room}`;
  }

  /** Subscribes to the control channel; resolves once Redis confirmed it. */
  async start(): Promise<void> {
    await this.#sub.subscribe(this.controlChannel);
  }

  /** Rooms subscribed to now. */
  get rooms(): number {
    return this.#refs.size;
  }

  /**
   * One more reason to receive `room`'s messages; resolves once subscribed, so a member
   * who is told it joined misses nothing sent after.
   */
  acquire(room: string): Promise<unknown> | undefined {
    const refs = this.#refs.get(room) ?? 0;
    this.#refs.set(room, refs + 1);
    if (refs > 0) return undefined;
    return this.#sub.ssubscribe(this.roomChannel(room));
  }

  /** One reason fewer; the last one unsubscribes. */
  release(room: string): void {
    const refs = (this.#refs.get(room) ?? 0) - 1;
    if (refs > 0) {
      this.#refs.set(room, refs);
      return;
    }
    this.#refs.delete(room);
    this.#sub.sunsubscribe(this.roomChannel(room)).catch((error: unknown) => {
      this.#log.debug('cluster: unsubscribe failed (Redis away; it is not resubscribed)', {
        room,
        error,
      });
    });
  }

  /** Sets the reference count of `room` to `count` (after a resync or a remote destroy). */
  setRefs(room: string, count: number): void {
    const refs = this.#refs.get(room) ?? 0;
    if (refs === count) return;
    if (count === 0) {
      this.#refs.set(room, 1);
      this.release(room);
    } else if (refs === 0) {
      this.#refs.set(room, count - 1);
      void this.acquire(room);
    } else {
      this.#refs.set(room, count);
    }
  }

  /**
   * Publishes `frame` (a client's Data frame) to `room`'s other nodes. A room's frames of
   * one event-loop turn go out as one message (a burst costs Redis and every receiving
   * node one message, not one per frame); past 256 KiB the batch goes out at once.
   */
  relay(room: string, sender: string, frame: Buffer): void {
    let batch = this.#relays.get(room);
    if (batch === undefined) {
      batch = { entries: [], bytes: 0 };
      this.#relays.set(room, batch);
    }
    const entry = this.#encoder.entry(sender, frame);
    batch.entries.push(entry);
    batch.bytes += entry.length;
    if (batch.bytes >= MAX_BATCH_BYTES) {
      this.#relays.delete(room);
      this.#publish(this.roomChannel(room), this.#encoder.data(room, batch.entries));
    } else if (!this.#relayScheduled) {
      this.#relayScheduled = true;
      setImmediate(this.flushRelays);
    }
  }

  /**
   * Publishes the batched relays now. The registry calls it before every state change,
   * so a message sent before a QuitRoom reaches the other nodes before the leave.
   */
  readonly flushRelays = (): void => {
    this.#relayScheduled = false;
    if (this.#relays.size === 0) return;
    const relays = this.#relays;
    this.#relays = new Map();
    for (const [room, { entries }] of relays) {
      this.#publish(this.roomChannel(room), this.#encoder.data(room, entries));
    }
  };

  /** Tells the other nodes this node is back (Up) or answers one that is (Here). */
  announce(kind: typeof Kind.Up | typeof Kind.Here): Promise<unknown> {
    return this.#pub.publish(this.controlChannel, this.#encoder.control(kind));
  }

  /** From now on messages are held until {@link flush}. */
  hold(): void {
    this.#holding = true;
  }

  get holding(): boolean {
    return this.#holding;
  }

  /** Publishes everything held, in order, then publishes directly again. */
  flush(): { sent: number; dropped: number } {
    const { messages, dropped } = this.#held.take();
    this.#holding = false;
    for (const { channel, message } of messages) this.#send(channel, message);
    return { sent: messages.length, dropped };
  }

  get held(): number {
    return this.#held.size;
  }

  #publish(channel: string, message: Buffer): void {
    // Status first: ioredis reports a lost connection a tick before its 'close' event.
    if (this.#holding || this.#pub.status !== 'ready') {
      this.#holding = true;
      this.#held.hold(channel, message);
    } else {
      this.#send(channel, message);
    }
  }

  #send(channel: string, message: Buffer): void {
    this.#pub.spublish(channel, message).catch((error: unknown) => {
      // The connection dropped under it: whether Redis got it is unknown, so it is not
      // held again (that could deliver it twice); the outage is logged by the link.
      this.#log.debug('cluster: publish failed', { channel, error });
    });
  }

  #receive(raw: Buffer): void {
    const message = decodeWire(raw);
    if (typeof message === 'string') {
      if (message === 'version' && !this.#warnedVersion) {
        this.#warnedVersion = true;
        this.#log.warn('cluster: dropping messages of an unknown version (a newer node?)', {
          version: raw[0],
        });
      } else if (message === 'truncated') {
        this.#log.warn('cluster: dropping a truncated message', { bytes: raw.length });
      }
      return;
    }
    if (message.origin === this.#encoder.origin) return; // our own, back from Redis
    this.#onMessage(message);
  }
}
