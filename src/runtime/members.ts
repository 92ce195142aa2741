import type { BotEvent } from '../bot/host.js';
import type { PresenceEvent } from '../protocol/types.js';

export type MemberEvent = Extract<
  BotEvent,
  { kind: 'join' | 'leave' | 'rename' | 'userlist' | 'destroyed' }
>;

/**
 * What the bot knows about who is in each of its rooms. Fed whole lists (polling, or a fresh
 * read after a reconnect) or pushed Presence changes, it works out the join and leave events
 * and the new member list. The bot's own arrivals and departures are not reported.
 */
export class Members {
  #known = new Map<string, string[]>();
  #self: () => string;
  #emit: (event: MemberEvent) => void;

  constructor(self: () => string, emit: (event: MemberEvent) => void) {
    this.#self = self;
    this.#emit = emit;
  }

  /** Last known members of `room`, in join order; undefined when never read. */
  get(room: string): readonly string[] | undefined {
    return this.#known.get(room);
  }

  /**
   * Takes a complete member list. The first list of a room is reported as `userlist` only;
   * later ones report each join and leave since the previous list, then the new `userlist`.
   */
  sync(room: string, users: readonly string[]): void {
    const before = this.#known.get(room);
    this.#known.set(room, [...users]);
    if (before === undefined) {
      this.#emit({ kind: 'userlist', room, users: [...users] });
      return;
    }
    const self = this.#self();
    const was = new Set(before);
    const now = new Set(users);
    let changed = false;
    for (const user of before) {
      if (now.has(user)) continue;
      changed = true;
      if (user !== self) this.#emit({ kind: 'leave', room, user });
    }
    for (const user of users) {
      if (was.has(user)) continue;
      changed = true;
      if (user !== self) this.#emit({ kind: 'join', room, user });
    }
    if (changed) this.#emit({ kind: 'userlist', room, users: [...users] });
  }

  /** Applies one pushed Presence event (presence extension). */
  apply(event: PresenceEvent): void {
    const list = this.#known.get(event.room);
    if (event.event === 'destroy') {
      this.destroyed(event.room);
      return;
    }
    // A push for a room whose first list is not read yet: that read will include it.
    if (list === undefined) return;
    if (event.event === 'rename') {
      this.#rename(event.room, list, event.old, event.user);
      return;
    }
    const next = list.filter((u) => u !== event.user);
    if (event.event === 'join') next.push(event.user);
    this.sync(event.room, next);
  }

  /**
   * A member changed name: same place in the list (as the server keeps it), reported as
   * `rename` and not as a leave and a join. A rename of someone we never saw is a join.
   */
  #rename(room: string, list: readonly string[], old: string, user: string): void {
    const at = list.indexOf(old);
    if (at < 0) {
      this.sync(room, [...list.filter((u) => u !== user), user]);
      return;
    }
    const next = list.filter((u, i) => i === at || u !== user);
    next[next.indexOf(old)] = user;
    this.#known.set(room, next);
    if (user !== this.#self()) this.#emit({ kind: 'rename', room, user, old });
    this.#emit({ kind: 'userlist', room, users: [...next] });
  }

  /** The room no longer exists: forget it and report `destroyed`. */
  destroyed(room: string): void {
    this.#known.delete(room);
    this.#emit({ kind: 'destroyed', room });
  }

  /** Stop tracking a room without reporting anything (the bot left it). */
  forget(room: string): void {
    this.#known.delete(room);
  }
}
