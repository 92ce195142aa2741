/**
 * The reference model for model.test.ts: decisions.md's users and rooms as plain data,
 * written independently of the server. Clients are numbered slots; each method applies
 * one command and returns what the server must answer.
 */

const NO_ROOM = 'room ID does not exist';
const NO_RIGHT = 'You have no right to view the user list because you are not in the chatting room';

interface Room {
  owner: string;
  members: string[];
}

export class ChatModel {
  /** The username each slot's connection holds, if it registered. */
  readonly names: (string | undefined)[];
  readonly rooms = new Map<string, Room>();

  constructor(
    slots: number,
    /** Names and room IDs the server must refuse (they break the naming rules). */
    readonly invalid: ReadonlySet<string>,
  ) {
    this.names = Array.from({ length: slots }, () => undefined);
  }

  #holder(name: string): number {
    return this.names.indexOf(name);
  }

  /** SetUserName: '0' or '1'; a rename carries memberships and ownership along. */
  setUserName(slot: number, name: string): '0' | '1' {
    if (this.invalid.has(name)) return '1';
    const old = this.names[slot];
    const holder = this.#holder(name);
    if (holder !== -1 && holder !== slot) return '1';
    this.names[slot] = name;
    if (old !== undefined && old !== name) {
      for (const room of this.rooms.values()) {
        if (room.owner === old) room.owner = name;
        const at = room.members.indexOf(old);
        if (at !== -1) room.members[at] = name;
      }
    }
    return '0';
  }

  create(slot: number, id: string): boolean {
    const user = this.names[slot];
    if (user === undefined || this.invalid.has(id) || this.rooms.has(id)) return false;
    this.rooms.set(id, { owner: user, members: [user] });
    return true;
  }

  join(slot: number, id: string): boolean {
    const user = this.names[slot];
    const room = this.rooms.get(id);
    if (user === undefined || room === undefined) return false;
    if (!room.members.includes(user)) room.members.push(user);
    return true;
  }

  quit(slot: number, id: string): boolean {
    const user = this.names[slot];
    const room = this.rooms.get(id);
    if (user === undefined || room === undefined || !room.members.includes(user)) return false;
    room.members.splice(room.members.indexOf(user), 1);
    return true;
  }

  destroy(slot: number, id: string): boolean {
    const user = this.names[slot];
    const room = this.rooms.get(id);
    if (user === undefined || room === undefined || room.owner !== user) return false;
    this.rooms.delete(id);
    return true;
  }

  /** GetUserList: the members, or the exact error string. */
  list(slot: number, id: string): string[] | string {
    const user = this.names[slot];
    if (user === undefined) return NO_RIGHT;
    const room = this.rooms.get(id);
    if (room === undefined) return NO_ROOM;
    return room.members.includes(user) ? [...room.members] : NO_RIGHT;
  }

  /** Data: the slots it is delivered to (every other member), in join order. */
  data(slot: number, id: string): number[] {
    const user = this.names[slot];
    const room = this.rooms.get(id);
    if (user === undefined || room === undefined || !room.members.includes(user)) return [];
    return room.members.filter((m) => m !== user).map((m) => this.#holder(m));
  }

  /** The slot's connection closed: its name is free and it leaves every room. */
  disconnect(slot: number): void {
    const user = this.names[slot];
    this.names[slot] = undefined;
    if (user === undefined) return;
    for (const room of this.rooms.values()) {
      const at = room.members.indexOf(user);
      if (at !== -1) room.members.splice(at, 1);
    }
  }

  /** Every room and its member count, sorted by ID, as RoomList reports them. */
  roomList(): { room: string; members: number }[] {
    return [...this.rooms.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([room, { members }]) => ({ room, members: members.length }));
  }
}
