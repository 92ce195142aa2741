import type { RoomMembers } from '../registry.js';

interface LocalRoom {
  /** This node's members, in the order they joined. */
  members: string[];
  memberSet: Set<string>;
}

/**
 * What this node knows for certain about its own users: their names, the rooms they are
 * in and the rooms they own. Redis holds the cluster's state; this copy is what the node
 * delivers to without asking Redis (the Data path, presence), what keeps local delivery
 * going while Redis is away, and what the node asserts again when Redis lost its data.
 *
 * Only this node's own operations change it, plus a remote DestroyRoom (the one change
 * another node makes to these users' memberships).
 */
export class LocalState {
  /** Local user -> rooms it is in (a Set keeps join order). */
  readonly users = new Map<string, Set<string>>();
  /** Rooms with at least one local member. */
  readonly rooms = new Map<string, LocalRoom>();
  /** Room -> owner, for every room a local user is in or owns (to re-create it). */
  readonly owners = new Map<string, string>();

  addUser(name: string): void {
    this.users.set(name, new Set());
  }

  /** Moves `from` to `to` in place; returns each room it is in with its local members. */
  renameUser(from: string, to: string): RoomMembers[] {
    const rooms = this.users.get(from) ?? new Set<string>();
    if (from !== to) {
      this.users.delete(from);
      this.users.set(to, rooms);
      for (const id of rooms) {
        const room = this.rooms.get(id)!;
        room.members[room.members.indexOf(from)] = to;
        room.memberSet.delete(from);
        room.memberSet.add(to);
      }
      for (const [id, owner] of this.owners) if (owner === from) this.owners.set(id, to);
    }
    return [...rooms].map((id) => ({ room: id, members: this.rooms.get(id)!.members }));
  }

  /** Drops `name` from every room; returns those rooms with who remains here. */
  removeUser(name: string): RoomMembers[] {
    const rooms = this.users.get(name);
    if (rooms === undefined) return [];
    this.users.delete(name);
    const left: RoomMembers[] = [];
    for (const id of rooms) left.push({ room: id, members: this.#remove(id, name) });
    this.#forgetOwnersOf(name);
    return left;
  }

  created(room: string, owner: string): void {
    this.owners.set(room, owner);
    this.joined(room, owner);
  }

  /** Adds `user` to the end of `room`'s local members; returns them. */
  joined(room: string, user: string, owner?: string): readonly string[] {
    if (owner !== undefined) this.owners.set(room, owner);
    let local = this.rooms.get(room);
    if (local === undefined) {
      local = { members: [], memberSet: new Set() };
      this.rooms.set(room, local);
    }
    if (!local.memberSet.has(user)) {
      local.members.push(user);
      local.memberSet.add(user);
      this.users.get(user)?.add(room);
    }
    return local.members;
  }

  /** Takes `user` out of `room`; returns the local members who remain. */
  left(room: string, user: string): readonly string[] {
    this.users.get(user)?.delete(room);
    return this.#remove(room, user);
  }

  /** The room is gone: its local members lose it. Returns who they were. */
  destroyed(room: string): readonly string[] {
    const local = this.rooms.get(room);
    this.rooms.delete(room);
    this.owners.delete(room);
    if (local === undefined) return [];
    for (const member of local.members) this.users.get(member)?.delete(room);
    return local.members;
  }

  /** Local members of `room`, when `user` (a local user) is one of them. */
  membersIfMember(room: string, user: string): readonly string[] | undefined {
    const local = this.rooms.get(room);
    return local?.memberSet.has(user) ? local.members : undefined;
  }

  isMember(room: string, user: string): boolean {
    return this.rooms.get(room)?.memberSet.has(user) ?? false;
  }

  localMembers(room: string): readonly string[] {
    return this.rooms.get(room)?.members ?? [];
  }

  /** The state the RESYNC script asserts. */
  snapshot(): { users: [string, string[]][]; rooms: [string, string][] } {
    const users: [string, string[]][] = [];
    for (const [name, rooms] of this.users) users.push([name, [...rooms]]);
    const rooms: [string, string][] = [];
    for (const [room, owner] of this.owners) {
      if (this.rooms.has(room) || this.users.has(owner)) rooms.push([room, owner]);
    }
    return { users, rooms };
  }

  #remove(id: string, name: string): string[] {
    const room = this.rooms.get(id);
    if (room === undefined || !room.memberSet.has(name)) return room?.members ?? [];
    room.memberSet.delete(name);
    room.members.splice(room.members.indexOf(name), 1);
    if (room.members.length === 0) {
      this.rooms.delete(id);
      if (!this.users.has(this.owners.get(id) ?? '')) this.owners.delete(id);
    }
    return room.members;
  }

  #forgetOwnersOf(name: string): void {
    for (const [id, owner] of this.owners) {
      if (owner === name && !this.rooms.has(id)) this.owners.delete(id);
    }
  }
}
