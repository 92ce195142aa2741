import { TimeoutError } from '../errors.js';
import type { Logger } from '../log.js';

/** One frame written to the connection and not yet confirmed by the server. */
export interface Written<T> {
  room: string;
  item: T;
}

interface Entry<T> extends Written<T> {
  seq: number;
  /** Dropped meanwhile (its room was destroyed): neither confirmed nor resent. */
  dropped: boolean;
}

/**
 * Frames written to the connection that the server has not confirmed yet. A write only puts
 * bytes into a socket, which a crashing server takes down with it; the server answers
 * requests in order, so the answer to a request sent after a batch of frames (`confirm`, a
 * ping) proves it relayed all of them. One barrier is outstanding at a time and covers
 * everything written before it left, so a busy stream costs one round trip per batch, not
 * one per frame. What the connection loses before its barrier returns is handed back by
 * lost(), in write order, to be sent again (at least once, maybe twice).
 */
export class Unconfirmed<T> {
  #confirm: () => Promise<void>;
  #onConfirmed: (done: Written<T>) => void;
  #log: Logger;
  #entries: Entry<T>[] = [];
  /** Index of the oldest entry still waiting; entries before it are confirmed. */
  #head = 0;
  #live = 0;
  #seq = 0;
  /** Bumped when the connection is lost: a barrier of an older session confirms nothing. */
  #session = 0;
  #outstanding = false;
  #scheduled = false;

  constructor(confirm: () => Promise<void>, onConfirmed: (done: Written<T>) => void, log: Logger) {
    this.#confirm = confirm;
    this.#onConfirmed = onConfirmed;
    this.#log = log;
  }

  /** Frames written and not confirmed (nor dropped). */
  get size(): number {
    return this.#live;
  }

  /** Records a frame just written; a barrier follows once the current turn's writes are done. */
  written(room: string, item: T): void {
    this.#seq += 1;
    this.#entries.push({ room, item, seq: this.#seq, dropped: false });
    this.#live += 1;
    if (this.#outstanding || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#barrier();
    });
  }

  /**
   * The connection is gone: returns every frame it did not confirm, oldest first, and
   * forgets them. A barrier still in the air from that connection no longer counts.
   */
  lost(): Written<T>[] {
    const out: Written<T>[] = [];
    for (let i = this.#head; i < this.#entries.length; i += 1) {
      const e = this.#entries[i]!;
      if (!e.dropped) out.push({ room: e.room, item: e.item });
    }
    this.#reset();
    return out;
  }

  /** Forgets what is unconfirmed for `room` (it no longer exists); returns how many. */
  drop(room: string): number {
    let n = 0;
    for (let i = this.#head; i < this.#entries.length; i += 1) {
      const e = this.#entries[i]!;
      if (e.room !== room || e.dropped) continue;
      e.dropped = true;
      n += 1;
    }
    this.#live -= n;
    return n;
  }

  /** Forgets everything (shutdown); returns how many were unconfirmed. */
  clear(): number {
    const n = this.#live;
    this.#reset();
    return n;
  }

  #reset(): void {
    this.#entries = [];
    this.#head = 0;
    this.#live = 0;
    this.#session += 1;
    this.#outstanding = false;
  }

  #barrier(): void {
    if (this.#live === 0) return;
    const session = this.#session;
    const mark = this.#seq;
    this.#outstanding = true;
    let answer: Promise<void>;
    try {
      answer = this.#confirm();
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      () => {
        if (session !== this.#session) return;
        this.#outstanding = false;
        this.#confirmUpTo(mark);
        // Frames written while this barrier was out need one of their own.
        if (this.#live > 0) this.#barrier();
      },
      (error: unknown) => {
        if (session !== this.#session) return;
        this.#outstanding = false;
        // A slow server: ask again. Anything else means the connection is going away, and
        // lost() follows; asking again now would only fail again.
        if (error instanceof TimeoutError) {
          this.#log.warn('outbox: the server did not confirm in time; asking again', {
            unconfirmed: this.#live,
          });
          this.#barrier();
        } else {
          this.#log.debug('outbox: confirmation failed; the frames stay unconfirmed', { error });
        }
      },
    );
  }

  #confirmUpTo(mark: number): void {
    const entries = this.#entries;
    let i = this.#head;
    while (i < entries.length && entries[i]!.seq <= mark) {
      const e = entries[i]!;
      i += 1;
      if (e.dropped) continue;
      this.#live -= 1;
      this.#onConfirmed(e);
    }
    this.#head = i;
    // Compact now and then rather than shift() per frame.
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
