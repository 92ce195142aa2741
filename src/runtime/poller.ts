import { ConnectionClosedError, NotMemberError, RoomNotFoundError } from '../errors.js';
import type { Logger } from '../log.js';

export interface PollerOptions {
  /** Milliseconds between the end of one round and the start of the next. */
  interval: number;
  rooms: () => Iterable<string>;
  read: (room: string) => Promise<string[]>;
  onList: (room: string, users: string[]) => void;
  /** The room no longer exists, or we are no longer in it (it was destroyed meanwhile). */
  onGone: (room: string) => void;
  logger: Logger;
}

/**
 * Without the presence extension the only way to see arrivals and departures is to ask:
 * one GetUserList per room every `interval`. Rounds never overlap, so a slow server gets
 * fewer requests, not a pile-up.
 */
export class Poller {
  #o: PollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #round: Promise<void> | undefined;

  constructor(options: PollerOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The round in progress, if any (for idle checks). */
  get round(): Promise<void> | undefined {
    return this.#round;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#round = this.#poll().finally(() => {
        this.#round = undefined;
        this.#schedule();
      });
    }, this.#o.interval);
  }

  async #poll(): Promise<void> {
    const rooms = [...this.#o.rooms()];
    await Promise.all(rooms.map((room) => this.#pollRoom(room)));
  }

  async #pollRoom(room: string): Promise<void> {
    try {
      const users = await this.#o.read(room);
      if (this.#running) this.#o.onList(room, users);
    } catch (error) {
      if (!this.#running || error instanceof ConnectionClosedError) return;
      if (error instanceof RoomNotFoundError || error instanceof NotMemberError) {
        this.#o.onGone(room);
        return;
      }
      this.#o.logger.warn('cannot read the user list', { room, error });
    }
  }
}
