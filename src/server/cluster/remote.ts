import type { LocalNode } from '../registry.js';
import type { LocalState } from './local-state.js';
import { dataEntries, Kind, type WireMessage } from './wire.js';

/**
 * Delivers what another node published about a room to this node's members of it, with
 * the ordinary fan-out: relayed Data, and the presence of the other node's users. A
 * DestroyRoom also takes the room from this node's members (`destroyed` does that and
 * returns who they were).
 */
export function deliverRemote(
  message: WireMessage,
  node: LocalNode,
  state: LocalState,
  destroyed: (room: string) => readonly string[],
): void {
  const { kind, room, user } = message;
  if (kind === Kind.Destroy) {
    node.deliverPresence(destroyed(room), user, { room, event: 'destroy', user });
    return;
  }
  const members = state.localMembers(room);
  if (members.length === 0) return;
  switch (kind) {
    case Kind.Data:
      for (const { sender, start, end } of dataEntries(message)) {
        node.deliverData(sender, room, message.buffer, start, end, members);
      }
      break;
    case Kind.Join:
      node.deliverPresence(members, user, { room, event: 'join', user });
      break;
    case Kind.Leave:
      node.deliverPresence(members, user, { room, event: 'leave', user });
      break;
    case Kind.Rename:
      if (message.old !== undefined) {
        node.deliverPresence(members, user, { room, event: 'rename', user, old: message.old });
      }
      break;
  }
}
