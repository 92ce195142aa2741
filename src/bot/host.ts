import type { Logger } from '../log.js';

/**
 * The seam between bot plugins (src/bot) and the runtime that connects them to a server
 * (src/runtime). Plugins see only this; the runtime, the testing kit, or a unit test can
 * each provide it. Whatever the source, events go in through one entry point,
 * `BotEngine.handleEvent` (see engine.ts).
 */
export type BotEvent =
  | { kind: 'message'; room: string; text: string; sender: string | undefined }
  | { kind: 'join'; room: string; user: string }
  | { kind: 'leave'; room: string; user: string }
  | { kind: 'userlist'; room: string; users: readonly string[] }
  | { kind: 'destroyed'; room: string }
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'reconnect' }
  /** A member of `room` changed name from `old` to `user` (presence extension only). */
  | { kind: 'rename'; room: string; user: string; old: string };

export interface BotHost {
  /** The runtime's username on the server. */
  readonly username: string;
  /**
   * Queues text for a room through the outbox (rate limit, splitting, offline hold).
   * The runtime throws NotInRoomError for a room that is not one of the bot's rooms.
   */
  send(room: string, text: string): void;
  /** Current members of a room the bot is in, from the server. */
  users(room: string): Promise<string[]>;
  /** Rooms the bot is in now. */
  rooms(): readonly string[];
  readonly logger: Logger;
  /**
   * Whether messages name their sender (the server granted the `sender` extension). Unset
   * means yes; guarded commands and `ctx.ask` depend on it.
   */
  senderKnown?(): boolean;
  /** Makes `room` one of the bot's rooms: entered now when connected, and after every reconnect. */
  join?(room: string): Promise<void>;
  /** Quits `room` and stops entering it; false when it was not one of the bot's rooms. */
  leave?(room: string): Promise<boolean>;
}
