import type { PresenceEvent, RoomInfo } from '../protocol/types.js';

/** A value now, or later. The server handles both without slowing the synchronous case. */
export type Awaitable<T> = T | Promise<T>;

/** Runs `then` on the value now, or once it resolves (returning that Promise). */
export function settle<T>(value: Awaitable<T>, then: (result: T) => void): Awaitable<void> {
  if (value instanceof Promise) return value.then(then);
  then(value);
  return undefined;
}

/** A room and its members (in join order) after the change that produced it. */
export interface RoomMembers {
  room: string;
  members: readonly string[];
}

/** The caps a CreateRoom or JoinRoom must respect, checked inside the one atomic operation. */
export interface RoomLimits {
  /** Rooms that may exist at once. */
  readonly maxRooms: number;
  /** Rooms one user may be a member of. */
  readonly maxRoomsPerUser: number;
  /** Members one room may hold. */
  readonly maxMembers: number;
}

export type CreateResult =
  | { status: 'created' }
  | { status: 'exists' }
  /** `maxRooms` rooms exist already. */
  | { status: 'too-many-rooms' }
  /** The owner is in `maxRoomsPerUser` rooms already. */
  | { status: 'user-full' };

export type JoinResult =
  /** Added; `members` is the list after the join, the new member last. */
  | { status: 'joined'; members: readonly string[] }
  /** Was already a member; nothing changed. */
  | { status: 'already' }
  | { status: 'missing' }
  /** The room holds `maxMembers` users already. */
  | { status: 'full' }
  /** The user is in `maxRoomsPerUser` rooms already. */
  | { status: 'user-full' };

export type QuitResult =
  /** Removed; `members` are the ones who remain. */
  { status: 'left'; members: readonly string[] } | { status: 'not-member' } | { status: 'missing' };

export type DestroyResult =
  /** Destroyed; `removed` were its members (in join order) at that moment. */
  | { status: 'destroyed'; removed: readonly string[] }
  | { status: 'not-owner' }
  | { status: 'missing' };

export type RenameResult =
  /** Renamed; every room the user is in, with its members (already showing the new name). */
  { status: 'renamed'; rooms: readonly RoomMembers[] } | { status: 'taken' };

/**
 * The server's shared state: which usernames are taken, which rooms exist, who owns each
 * room and who is in it (in join order). It knows nothing of sockets or frames, so a
 * store shared by several server processes (e.g. Redis, each operation one atomic script)
 * can replace {@link InMemoryRegistry} without touching the protocol code.
 *
 * Each method is one atomic operation and may return a Promise. Arrays returned may be
 * live views: read them at once, never keep or mutate them.
 *
 * Owners are usernames. Ownership follows a rename but survives a disconnect: rooms
 * outlive their members and their creator's connection (decisions.md).
 *
 * @example
 * // A registry that logs room creation, delegating the rest.
 * class AuditedRegistry extends InMemoryRegistry {
 *   override createRoom(room: string, owner: string, limits: RoomLimits): CreateResult {
 *     const result = super.createRoom(room, owner, limits);
 *     if (result.status === 'created') audit.write(`${owner} created ${room}\n`);
 *     return result;
 *   }
 * }
 * const server = new MpcrpServer({ registry: new AuditedRegistry() });
 */
export interface Registry {
  /** Claims `name` for a new user. False when it is taken. */
  addUser(name: string): Awaitable<boolean>;
  /**
   * Moves user `from` to the free name `to`, keeping the user's place in every room and
   * the rooms it owns; `from` becomes free. `from === to` succeeds and changes nothing.
   */
  renameUser(from: string, to: string): Awaitable<RenameResult>;
  /** Frees `name` and takes it out of every room. Returns the rooms left, with who remains. */
  removeUser(name: string): Awaitable<readonly RoomMembers[]>;
  /**
   * Creates `room` owned by `owner`, who becomes its first member, unless it exists or a
   * cap of `limits` (`maxRooms`, `maxRoomsPerUser`) would be passed.
   */
  createRoom(room: string, owner: string, limits: RoomLimits): Awaitable<CreateResult>;
  /**
   * Adds `user` to the end of `room`'s members unless already there, or a cap of `limits`
   * (`maxMembers`, `maxRoomsPerUser`) would be passed.
   */
  joinRoom(room: string, user: string, limits: RoomLimits): Awaitable<JoinResult>;
  quitRoom(room: string, user: string): Awaitable<QuitResult>;
  /** Deletes `room` (its ID becomes free) when `requester` owns it. */
  destroyRoom(room: string, requester: string): Awaitable<DestroyResult>;
  /** Members of `room` in join order, or undefined when it does not exist. */
  members(room: string): Awaitable<readonly string[] | undefined>;
  /**
   * Members of `room` when `user` is one of them, else undefined (also for a missing room).
   * The relay's one lookup per Data message, so it should be cheap.
   */
  membersIfMember(room: string, user: string): Awaitable<readonly string[] | undefined>;
  /** Every room with its member count, sorted by room ID (code unit order). */
  listRooms(): Awaitable<RoomInfo[]>;
  /**
   * For a registry shared by several server processes (nodes): the server calls it once,
   * handing over how to deliver to its own connections what happens on other nodes, and
   * relays each Data message through the returned {@link RemoteRelay}. Such a registry's
   * member lists (from joinRoom, quitRoom, destroyRoom, renameUser, removeUser and
   * membersIfMember) may hold only the members this node serves: they are what the node
   * delivers to itself. `members` (GetUserList) always holds every member.
   */
  attach?(node: LocalNode): RemoteRelay;
  /** Releases what the registry holds (connections, timers); the server is closed by then. */
  close?(): Promise<void>;
}

/** What a shared registry may do with the node that attached it. */
export interface LocalNode {
  /**
   * Relays a Data frame from another node's `sender` to `members` served here: the frame
   * is `buffer`, its payload from `start` (after the 4-byte header) to `end`.
   */
  deliverData(
    sender: string,
    room: string,
    buffer: Buffer,
    start: number,
    end: number,
    members: readonly string[],
  ): void;
  /** Sends a Presence event about another node's `actor` to `members` served here. */
  deliverPresence(members: readonly string[], actor: string, event: PresenceEvent): void;
  /** Closes the connection holding `name`: the cluster gave the name to someone else. */
  evict(name: string, reason: string): void;
}

/** Carries this node's Data to the members of a room on the other nodes. */
export interface RemoteRelay {
  /** `frame` is the whole Data frame as received; read it before returning. */
  relay(room: string, sender: string, frame: Buffer): void;
}
