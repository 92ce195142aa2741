import type { RoomInfo } from '../protocol/types.js';
import type {
  CreateResult,
  DestroyResult,
  JoinResult,
  QuitResult,
  Registry,
  RenameResult,
  RoomLimits,
  RoomMembers,
} from './registry.js';

/**
 * The rooms of every user in none, shared: only `#roomsOf` adds a room, and it first gives
 * the user a Set of its own. (Deleting from it is a no-op: it stays empty.)
 */
const NONE = new Set<string>();

interface Room {
  owner: string;
  /** Join order; an array so a rename can keep the member's place. */
  members: string[];
  /** Same names as `members`, for O(1) membership checks on the relay path. */
  memberSet: Set<string>;
}

/**
 * The default {@link Registry}: plain maps in this process. Every operation is
 * synchronous, so the server never waits on it.
 *
 * @example
 * const server = new MpcrpServer({ registry: new InMemoryRegistry() });
 */
export class InMemoryRegistry implements Registry {
  /**
   * Username -> the rooms it is in; NONE until its first room, so an idle user (most of
   * them, on a busy server) costs a map entry and no Set of its own.
   */
  readonly #users = new Map<string, Set<string>>();
  readonly #rooms = new Map<string, Room>();

  addUser(name: string): boolean {
    if (this.#users.has(name)) return false;
    this.#users.set(name, NONE);
    return true;
  }

  /** The user's own set of rooms, made on its first room; undefined for no such user. */
  #roomsOf(name: string): Set<string> | undefined {
    const rooms = this.#users.get(name);
    if (rooms !== NONE) return rooms;
    const own = new Set<string>();
    this.#users.set(name, own);
    return own;
  }

  renameUser(from: string, to: string): RenameResult {
    const rooms = this.#users.get(from);
    if (rooms === undefined) throw new Error(`renameUser: '${from}' is not a user`);
    if (from !== to) {
      if (this.#users.has(to)) return { status: 'taken' };
      this.#users.delete(from);
      this.#users.set(to, rooms);
      for (const id of rooms) {
        const room = this.#rooms.get(id)!;
        room.members[room.members.indexOf(from)] = to;
        room.memberSet.delete(from);
        room.memberSet.add(to);
      }
      for (const room of this.#rooms.values()) if (room.owner === from) room.owner = to;
    }
    return {
      status: 'renamed',
      rooms: [...rooms].map((id) => ({ room: id, members: this.#rooms.get(id)!.members })),
    };
  }

  removeUser(name: string): RoomMembers[] {
    const rooms = this.#users.get(name);
    if (rooms === undefined) return [];
    this.#users.delete(name);
    const left: RoomMembers[] = [];
    for (const id of rooms) {
      const room = this.#rooms.get(id)!;
      this.#remove(room, name);
      left.push({ room: id, members: room.members });
    }
    return left;
  }

  createRoom(room: string, owner: string, limits: RoomLimits): CreateResult {
    if (this.#rooms.has(room)) return { status: 'exists' };
    if (this.#rooms.size >= limits.maxRooms) return { status: 'too-many-rooms' };
    const rooms = this.#users.get(owner);
    if (rooms !== undefined && rooms.size >= limits.maxRoomsPerUser) return { status: 'user-full' };
    this.#rooms.set(room, { owner, members: [owner], memberSet: new Set([owner]) });
    this.#roomsOf(owner)?.add(room);
    return { status: 'created' };
  }

  joinRoom(id: string, user: string, limits: RoomLimits): JoinResult {
    const room = this.#rooms.get(id);
    if (room === undefined) return { status: 'missing' };
    if (room.memberSet.has(user)) return { status: 'already' };
    if (room.members.length >= limits.maxMembers) return { status: 'full' };
    if ((this.#users.get(user)?.size ?? 0) >= limits.maxRoomsPerUser)
      return { status: 'user-full' };
    room.members.push(user);
    room.memberSet.add(user);
    this.#roomsOf(user)?.add(id);
    return { status: 'joined', members: room.members };
  }

  quitRoom(id: string, user: string): QuitResult {
    const room = this.#rooms.get(id);
    if (room === undefined) return { status: 'missing' };
    if (!room.memberSet.has(user)) return { status: 'not-member' };
    this.#remove(room, user);
    this.#users.get(user)?.delete(id);
    return { status: 'left', members: room.members };
  }

  destroyRoom(id: string, requester: string): DestroyResult {
    const room = this.#rooms.get(id);
    if (room === undefined) return { status: 'missing' };
    if (room.owner !== requester) return { status: 'not-owner' };
    this.#rooms.delete(id);
    for (const member of room.members) this.#users.get(member)?.delete(id);
    return { status: 'destroyed', removed: room.members };
  }

  members(id: string): readonly string[] | undefined {
    return this.#rooms.get(id)?.members;
  }

  membersIfMember(id: string, user: string): readonly string[] | undefined {
    const room = this.#rooms.get(id);
    return room?.memberSet.has(user) ? room.members : undefined;
  }

  listRooms(): RoomInfo[] {
    const list: RoomInfo[] = [];
    for (const [room, { members }] of this.#rooms) list.push({ room, members: members.length });
    return list.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
  }

  #remove(room: Room, name: string): void {
    room.memberSet.delete(name);
    room.members.splice(room.members.indexOf(name), 1);
  }
}
