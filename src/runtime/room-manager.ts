import type { MpcrpClient } from '../client/index.js';
import { ConnectionClosedError, TimeoutError } from '../errors.js';
import type { Logger } from '../log.js';
import { assertName } from '../protocol/names.js';
import type { Members } from './members.js';
import type { Outbox } from './outbox.js';
import { enterRoom } from './rooms.js';

export interface RoomManagerDeps {
  /** The live connection, if any. */
  client: () => MpcrpClient | undefined;
  members: Members;
  outbox: Outbox;
  logger: Logger;
}

/**
 * The bot's rooms: those it wants to be in (configured, asked for by plugins or by join()),
 * entered again in every session, and those it is in now.
 */
export class RoomManager {
  #wanted: Set<string>;
  #joined = new Set<string>();
  #d: RoomManagerDeps;
  #log: Logger;

  constructor(rooms: Iterable<string>, deps: RoomManagerDeps) {
    this.#wanted = new Set([...rooms].map((r) => assertName('room', r)));
    this.#d = deps;
    this.#log = deps.logger;
  }

  /** Rooms the bot is in now. */
  get joined(): ReadonlySet<string> {
    return this.#joined;
  }

  /** True when `room` is one of the bot's rooms (in it now or entered on the next session). */
  wants(room: string): boolean {
    return this.#wanted.has(room);
  }

  /** Adds a room to enter in every session from now on. */
  want(room: string): void {
    this.#wanted.add(assertName('room', room));
  }

  /** Adds a room and, when connected, enters it now. Failures are logged, not thrown. */
  async enter(room: string): Promise<void> {
    this.want(room);
    const client = this.#d.client();
    if (!client || this.#joined.has(room)) return;
    try {
      const how = await enterRoom(client, room);
      if (client !== this.#d.client()) return;
      this.#joined.add(room);
      this.#log.info(how === 'created' ? 'created room' : 'joined room', { room });
      this.#d.members.sync(room, await client.getUserList(room));
      this.#d.outbox.wake();
    } catch (error) {
      this.#log.error('cannot enter room; will try again after the next reconnect', {
        room,
        error,
      });
    }
  }

  /**
   * Enters every wanted room at the start of a session and reads their member lists.
   * A room that refuses is logged and tried again next session; a lost connection throws.
   */
  async enterAll(client: MpcrpClient): Promise<(readonly [string, string[]])[]> {
    const entered = new Set<string>();
    for (const room of this.#wanted) {
      try {
        const how = await enterRoom(client, room);
        entered.add(room);
        this.#joined.add(room);
        this.#log.info(how === 'created' ? 'created room' : 'joined room', { room });
      } catch (error) {
        if (error instanceof ConnectionClosedError || error instanceof TimeoutError) throw error;
        this.#log.error('cannot enter room; will try again after the next reconnect', {
          room,
          error,
        });
      }
    }
    return Promise.all(
      [...entered].map(async (room) => [room, await client.getUserList(room)] as const),
    );
  }

  /**
   * No longer one of the bot's rooms: quits it now when in it, and drops what is still
   * queued for it (frames already written reach it: the server handles them before the
   * QuitRoom). Resolves to false when it was not one of the bot's rooms.
   */
  async leave(room: string): Promise<boolean> {
    if (!this.#wanted.delete(room)) return false;
    const client = this.#d.client();
    const wasIn = this.#joined.delete(room);
    this.#d.members.forget(room);
    this.#d.outbox.discard(room, 'the bot left the room');
    if (client && wasIn) {
      try {
        await client.quitRoom(room);
        this.#log.info('left room', { room });
      } catch (error) {
        // Gone already (destroyed), or the connection dropped: either way the bot is out.
        this.#log.debug('quitting the room failed; the bot is out of it anyway', { room, error });
      }
    }
    return true;
  }

  /** The room was destroyed: no longer one of the bot's rooms, and what is held for it goes. */
  gone(room: string): void {
    this.#log.warn('room was destroyed; the bot is no longer in it', { room });
    this.#joined.delete(room);
    this.#wanted.delete(room);
    this.#d.outbox.discard(room, 'the room was destroyed');
  }

  /** The session ended: in no room until the next one enters them again. */
  clear(): void {
    this.#joined.clear();
  }
}
