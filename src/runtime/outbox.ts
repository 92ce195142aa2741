import { ConfigError, OutboxFullError, TextTooLongError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { splitText } from '../protocol/split-text.js';
import { TokenBucket } from './token-bucket.js';
import { Unconfirmed } from './unconfirmed.js';

export interface OutboxOptions {
  /** Messages per second per room. Default 5. */
  rate?: number;
  /** Messages a room may send at once before the rate applies. Default 10. */
  burst?: number;
  /** Messages held in total (e.g. while disconnected); past it new ones are dropped, counted and logged. Default 1000. */
  limit?: number;
}

export const DEFAULT_OUTBOX = { rate: 5, burst: 10, limit: 1000 } as const;

/** Where the outbox delivers; the runtime backs it with the live connection. */
export interface OutboxSink {
  /** True when text for `room` can go out now (connected and in the room). */
  ready(room: string): boolean;
  /** Sends one frame's worth of text; throws when the connection has just gone away. */
  send(room: string, text: string): void;
  /**
   * Resolves once the server has processed everything sent so far on this connection (a
   * round trip: the server answers in order); rejects when the connection is gone.
   */
  confirm(): Promise<void>;
  /** Bytes of text per piece to `room`: what fits one frame, with room for the sender's name. */
  maxTextBytes(room: string): number;
}

export interface OutboxPushOptions {
  /** Epoch ms after which the message is stale: skipped (and logged) instead of sent. */
  notAfter?: number;
}

export interface OutboxStats {
  /** Frames waiting to be written. */
  queued: number;
  /** Frames written and not yet confirmed by the server (held until it does). */
  unconfirmed: number;
  /** Frames the server confirmed it relayed. */
  sent: number;
  /**
   * Frames written again after a reconnect because the lost connection never confirmed
   * them: each a possible duplicate (the server may have relayed it before it went away).
   */
  resent: number;
  /** Messages refused because the outbox was full. */
  overflowed: number;
  /** Frames skipped because they were past their `notAfter`. */
  expired: number;
  /** Frames dropped for good: their room was destroyed, or the server could never take them. */
  discarded: number;
}

interface Item {
  text: string;
  notAfter: number | undefined;
  /** Written once on a connection that was lost before confirming it. */
  resend: boolean;
}

interface RoomQueue {
  items: Item[];
  /** The sink's maxTextBytes for the room (fixed for a room: asked once). */
  maxText: number;
  /** Outlives the queue: a queue emptied and refilled must not get a fresh burst. */
  bucket: TokenBucket;
  timer: NodeJS.Timeout | undefined;
}

export interface OutboxDeps {
  logger?: Logger;
  /** Clock in epoch ms; default Date.now (so fake timers drive it too). */
  now?: () => number;
}

/**
 * The one queue everything a bot says goes through: per-room token bucket, long text split
 * to fit a frame, held while the room is not ready (bounded), order kept per room. A frame
 * is held until the server confirms it (see Unconfirmed); what a lost connection did not
 * confirm goes out again after the reconnect, ahead of the room's newer frames: delivery
 * is at least once.
 *
 * @example
 * const outbox = new Outbox(sink, { rate: 5, burst: 10, limit: 1000 });
 * outbox.push('lobby', 'hello');
 * outbox.wake(); // after a reconnect: deliver what was held
 */
export class Outbox {
  readonly rate: number;
  readonly burst: number;
  readonly limit: number;
  #sink: OutboxSink;
  #log: Logger;
  #now: () => number;
  #rooms = new Map<string, RoomQueue>();
  #buckets = new Map<string, TokenBucket>();
  /** Frames held: waiting, plus written and unconfirmed. */
  #size = 0;
  #unconfirmed: Unconfirmed<Item>;
  #stats = { sent: 0, resent: 0, overflowed: 0, expired: 0, discarded: 0 };
  #overflowSinceWarn = 0;
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(sink: OutboxSink, options: OutboxOptions = {}, deps: OutboxDeps = {}) {
    this.rate = positive('rate', options.rate ?? DEFAULT_OUTBOX.rate);
    this.burst = Math.max(1, Math.floor(positive('burst', options.burst ?? DEFAULT_OUTBOX.burst)));
    this.limit = Math.floor(positive('limit', options.limit ?? DEFAULT_OUTBOX.limit));
    this.#sink = sink;
    this.#log = deps.logger ?? silentLogger;
    this.#now = deps.now ?? Date.now;
    this.#unconfirmed = new Unconfirmed<Item>(
      () => sink.confirm(),
      () => {
        this.#stats.sent += 1;
        this.#release(1);
        this.#settleIdle();
      },
      this.#log,
    );
  }

  /** Frames held: waiting, or written and not yet confirmed. */
  get size(): number {
    return this.#size;
  }

  get stats(): OutboxStats {
    const unconfirmed = this.#unconfirmed.size;
    return { queued: this.#size - unconfirmed, unconfirmed, ...this.#stats };
  }

  /** Frames waiting now, per room that has any (read at metrics scrape time). */
  depths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [room, queue] of this.#rooms) {
      if (queue.items.length > 0) out.set(room, queue.items.length);
    }
    return out;
  }

  /**
   * Queues `text` for `room`, split into frames when it is too long for one. Returns false
   * when the outbox is full: the message is then counted in `overflowed` and logged.
   */
  push(room: string, text: string, options: OutboxPushOptions = {}): boolean {
    if (this.#closed) {
      this.#overflow(room, 'the bot is stopping');
      return false;
    }
    let queue = this.#rooms.get(room);
    const maxText = queue?.maxText ?? this.#sink.maxTextBytes(room);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: short text fits without being measured.
    const pieces =
      text.length * 3 <= maxText && maxText >= 4 ? undefined : splitText(text, maxText);
    const count = pieces?.length ?? 1;
    if (this.#size + count > this.limit) this.#dropExpired();
    if (this.#size + count > this.limit) {
      this.#overflow(room, new OutboxFullError(this.limit).message);
      return false;
    }
    queue ??= this.#queue(room);
    if (pieces === undefined) {
      queue.items.push({ text, notAfter: options.notAfter, resend: false });
    } else {
      for (const piece of pieces) {
        queue.items.push({ text: piece, notAfter: options.notAfter, resend: false });
      }
    }
    this.#size += count;
    this.#pump(room, queue);
    return true;
  }

  /**
   * The connection is gone: what it did not confirm goes back to the front of each room's
   * queue, in order, to be written again after the reconnect (logged; counted in `resent`
   * once written). Call it before the next connection is used.
   */
  connectionLost(): void {
    const back = this.#unconfirmed.lost();
    if (back.length === 0) return;
    const byRoom = new Map<string, Item[]>();
    for (const { room, item } of back) {
      item.resend = true;
      const list = byRoom.get(room);
      if (list) list.push(item);
      else byRoom.set(room, [item]);
    }
    for (const [room, items] of byRoom) {
      const queue = this.#queue(room);
      clearTimeout(queue.timer);
      queue.timer = undefined;
      queue.items = items.concat(queue.items);
    }
    this.#log.warn(
      'outbox: the connection was lost before the server confirmed some messages; resending them after the reconnect (possible duplicates)',
      { count: back.length, rooms: [...byRoom.keys()].join(',') },
    );
  }

  /** Tries every room again, e.g. once the connection is back and rooms are rejoined. */
  wake(): void {
    for (const [room, queue] of this.#rooms) this.#pump(room, queue);
  }

  /** Drops what is held for `room` (it no longer exists); logs and returns how many frames. */
  discard(room: string, reason: string): number {
    const queue = this.#rooms.get(room);
    const unconfirmed = this.#unconfirmed.drop(room);
    this.#release(unconfirmed);
    const n = (queue?.items.length ?? 0) + unconfirmed;
    if (queue) this.#remove(room, queue);
    this.#buckets.delete(room);
    if (n > 0) {
      this.#stats.discarded += n;
      this.#log.warn('outbox: dropped messages held for a room', { room, count: n, reason });
    }
    this.#settleIdle();
    return n;
  }

  /** Resolves once nothing is queued. */
  idle(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Waits up to `timeoutMs` for the queue to empty (used on shutdown); resolves to true when
   * it did. Uses the timers of the moment, so fake timers must be advanced for the timeout.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([this.idle().then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** Stops timers and refuses new messages; what is still held is logged as lost. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#size > 0) {
      this.#log.warn('outbox: messages not delivered before shutdown', { count: this.#size });
      this.#stats.discarded += this.#size;
    }
    this.#unconfirmed.clear();
    for (const [room, queue] of this.#rooms) this.#remove(room, queue);
    this.#size = 0;
    this.#settleIdle();
  }

  #queue(room: string): RoomQueue {
    let queue = this.#rooms.get(room);
    if (!queue) {
      let bucket = this.#buckets.get(room);
      if (!bucket) {
        bucket = new TokenBucket(this.rate, this.burst, this.#now());
        this.#buckets.set(room, bucket);
      }
      queue = { items: [], maxText: this.#sink.maxTextBytes(room), bucket, timer: undefined };
      this.#rooms.set(room, queue);
    }
    return queue;
  }

  #pump(room: string, queue: RoomQueue): void {
    if (queue.timer !== undefined) {
      clearTimeout(queue.timer);
      queue.timer = undefined;
    }
    if (!this.#sink.ready(room)) return;
    const now = this.#now();
    while (queue.items.length > 0) {
      const item = queue.items[0]!;
      if (item.notAfter !== undefined && now > item.notAfter) {
        this.#shift(queue);
        this.#stats.expired += 1;
        this.#log.warn('outbox: skipped a message past its deadline', {
          room,
          late: `${now - item.notAfter}ms`,
        });
        continue;
      }
      if (!queue.bucket.take(now)) {
        queue.timer = setTimeout(() => {
          queue.timer = undefined;
          this.#pump(room, queue);
        }, queue.bucket.wait(now));
        return;
      }
      try {
        this.#sink.send(room, item.text);
      } catch (error) {
        if (error instanceof TextTooLongError) {
          // Cannot fit however often it is retried: drop it rather than block the room.
          this.#shift(queue);
          this.#stats.discarded += 1;
          this.#log.error('outbox: dropped a message the server cannot take', { room, error });
          continue;
        }
        // The connection went away between ready() and send(): keep it for the next wake().
        this.#log.debug('outbox: send failed; holding the message', { room, error });
        return;
      }
      queue.items.shift();
      if (item.resend) this.#stats.resent += 1;
      // Still held (and counted in size) until the server confirms it.
      this.#unconfirmed.written(room, item);
    }
    // The emptied queue stays for the room's next message (a bot has few rooms; discard()
    // and close() remove it).
    this.#settleIdle();
  }

  #shift(queue: RoomQueue): void {
    queue.items.shift();
    this.#release(1);
  }

  /** `n` frames are no longer held. */
  #release(n: number): void {
    this.#size -= n;
    if (this.#overflowSinceWarn > 0 && this.#size < this.limit) {
      this.#log.warn('outbox: has room again', {
        overflowed: this.#overflowSinceWarn,
        total: this.#stats.overflowed,
      });
      this.#overflowSinceWarn = 0;
    }
  }

  #remove(room: string, queue: RoomQueue): void {
    clearTimeout(queue.timer);
    this.#size -= queue.items.length;
    queue.items = [];
    this.#rooms.delete(room);
  }

  #dropExpired(): void {
    const now = this.#now();
    for (const [room, queue] of this.#rooms) {
      const before = queue.items.length;
      queue.items = queue.items.filter((i) => i.notAfter === undefined || i.notAfter >= now);
      const gone = before - queue.items.length;
      if (gone > 0) {
        this.#size -= gone;
        this.#stats.expired += gone;
        this.#log.warn('outbox: skipped messages past their deadline', { room, count: gone });
      }
      if (queue.items.length === 0) this.#remove(room, queue);
    }
  }

  #overflow(room: string, reason: string): void {
    this.#stats.overflowed += 1;
    this.#overflowSinceWarn += 1;
    // One warning per episode, then a count when it ends: a flood must not flood the log.
    if (this.#overflowSinceWarn === 1) {
      this.#log.warn('outbox: message dropped', { room, reason, held: this.#size });
    } else {
      this.#log.debug('outbox: message dropped', { room, reason });
    }
  }

  #settleIdle(): void {
    if (this.#size !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError([`outbox ${name} must be a number above 0, got ${value}`]);
  }
  return value;
}
