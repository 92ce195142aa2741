import type { Logger } from '../log.js';
import type { FrameView } from '../protocol/decoder.js';
import { nameProblem } from '../protocol/names.js';
import { NameMemo } from '../protocol/short-strings.js';
import { HEADER_SIZE, MessageType, UserListError } from '../protocol/types.js';
import type { Connection } from './connection.js';
import { handleHello, handleListRooms } from './extensions.js';
import { type FanoutHost, relayData, sendPresence } from './fanout.js';
import type { LogLimiter } from './log-limiter.js';
import type { ResolvedServerOptions } from './options.js';
import {
  type Awaitable,
  type Registry,
  type RemoteRelay,
  type RoomLimits,
  settle,
} from './registry.js';
import { reservedNameRefusal } from './reserved-names.js';
import { nameResult, roomResult, userListResult } from './responses.js';
import type { RoomListCache } from './room-list.js';
import { FANOUT_SAMPLE } from './stats.js';

/** The server state every handler works on. */
export interface Hub extends FanoutHost {
  readonly options: ResolvedServerOptions;
  readonly registry: Registry;
  readonly log: Logger;
  readonly byName: Map<string, Connection>;
  /** The room caps from the options, in the shape the registry takes. */
  readonly roomLimits: RoomLimits;
  /** Lines a client causes frame by frame (a malformed frame, a refused name): rate-limited. */
  readonly clientLog: LogLimiter;
  /** The encoded RoomList; every room change here invalidates it. */
  readonly roomList: RoomListCache;
  /** The other nodes, when the registry is shared by several (a cluster). */
  remote?: RemoteRelay | undefined;
}

/**
 * Dispatches one frame from `conn`, implementing decisions.md and extensions.md. `frame`
 * is read before this returns; Data, the hot path, never makes a payload Buffer.
 */
export function handleFrame(hub: Hub, conn: Connection, frame: FrameView): Awaitable<void> {
  const { type, buffer, start, end } = frame;
  if (type === MessageType.Data) return data(hub, conn, buffer, start, end);
  const payload = buffer.subarray(start, end);
  switch (type) {
    case MessageType.SetUserName:
      return setUserName(hub, conn, payload);
    case MessageType.CreateRoom:
    case MessageType.JoinRoom:
    case MessageType.DestroyRoom:
    case MessageType.QuitRoom:
      return roomCommand(hub, conn, type, payload);
    case MessageType.GetUserList:
      return getUserList(hub, conn, payload);
    case MessageType.Hello:
      // Before SetUserName, or with extensions off, Hello is just another unknown type.
      if (hub.options.extensions && conn.name !== undefined) return handleHello(hub, conn, payload);
      break;
    case MessageType.ListRooms:
      if (hub.options.extensions && conn.grants.rooms) return handleListRooms(hub, conn);
      break;
  }
  // Unknown and response types are ignored; the decoder already skipped the payload.
  hub.log.debug('ignored frame', { conn: conn.id, type, bytes: payload.length });
  return undefined;
}

function setUserName(hub: Hub, conn: Connection, payload: Buffer): Awaitable<void> {
  const name = payload.toString('utf8');
  const problem = nameProblem('username', name);
  if (problem !== undefined) {
    hub.log.debug('SetUserName refused', { conn: conn.id, problem });
    conn.send(nameResult(false));
    return undefined;
  }
  const refusal = reservedNameRefusal(hub.options.reservedNames, name, conn.transport);
  if (refusal !== undefined) {
    if (hub.stats) hub.stats.limits.reservedNames++;
    hub.clientLog.warn('reserved name refused', { conn: conn.id, name, reason: refusal });
    conn.send(nameResult(false));
    return undefined;
  }
  const old = conn.name;
  if (old === undefined) {
    return settle(hub.registry.addUser(name), (ok) => {
      if (ok) {
        conn.registered(name);
        hub.byName.set(name, conn);
      }
      conn.send(nameResult(ok));
    });
  }
  return settle(hub.registry.renameUser(old, name), (result) => {
    if (result.status === 'taken') {
      conn.send(nameResult(false));
      return;
    }
    conn.send(nameResult(true));
    if (old === name) return;
    conn.name = name;
    hub.byName.delete(old);
    hub.byName.set(name, conn);
    for (const { room, members } of result.rooms) {
      sendPresence(hub, members, name, { room, event: 'rename', user: name, old });
    }
  });
}

type RoomChangeType =
  | typeof MessageType.CreateRoom
  | typeof MessageType.JoinRoom
  | typeof MessageType.DestroyRoom
  | typeof MessageType.QuitRoom;

function roomCommand(
  hub: Hub,
  conn: Connection,
  type: RoomChangeType,
  payload: Buffer,
): Awaitable<void> {
  const responseType = type + 1;
  const user = conn.name;
  const room = payload.toString('utf8');
  if (user === undefined || nameProblem('room', room) !== undefined) {
    conn.send(roomResult(responseType, payload, false));
    return undefined;
  }
  const { registry } = hub;
  switch (type) {
    case MessageType.CreateRoom:
      // The creator is the only member, so no one else hears a join.
      return settle(registry.createRoom(room, user, hub.roomLimits), (result) => {
        if (result.status === 'too-many-rooms' || result.status === 'user-full') {
          logRoomCap(hub, conn, 'CreateRoom', room, result.status);
        } else if (result.status === 'created') {
          hub.roomList.invalidate();
        }
        conn.send(roomResult(responseType, payload, result.status === 'created'));
      });
    case MessageType.JoinRoom:
      return settle(registry.joinRoom(room, user, hub.roomLimits), (result) => {
        if (result.status === 'full') {
          if (hub.stats) hub.stats.limits.maxRoomMembers++;
          hub.clientLog.info('room full: JoinRoom refused', {
            conn: conn.id,
            room,
            maxRoomMembers: hub.options.maxRoomMembers,
          });
        } else if (result.status === 'user-full') {
          logRoomCap(hub, conn, 'JoinRoom', room, result.status);
        }
        const ok = result.status === 'joined' || result.status === 'already';
        conn.send(roomResult(responseType, payload, ok));
        if (result.status === 'joined') {
          hub.roomList.invalidate();
          sendPresence(hub, result.members, user, { room, event: 'join', user });
        }
      });
    case MessageType.QuitRoom:
      return settle(registry.quitRoom(room, user), (result) => {
        conn.send(roomResult(responseType, payload, result.status === 'left'));
        if (result.status === 'left') {
          hub.roomList.invalidate();
          sendPresence(hub, result.members, user, { room, event: 'leave', user });
        }
      });
    default:
      return settle(registry.destroyRoom(room, user), (result) => {
        conn.send(roomResult(responseType, payload, result.status === 'destroyed'));
        if (result.status === 'destroyed') {
          hub.roomList.invalidate();
          sendPresence(hub, result.removed, user, { room, event: 'destroy', user });
        }
      });
  }
}

function logRoomCap(
  hub: Hub,
  conn: Connection,
  command: string,
  room: string,
  cap: 'too-many-rooms' | 'user-full',
): void {
  if (hub.stats) hub.stats.limits[cap === 'too-many-rooms' ? 'maxRooms' : 'maxRoomsPerUser']++;
  if (cap === 'too-many-rooms') {
    hub.clientLog.warn(`room limit: ${command} refused, the server holds maxRooms rooms`, {
      conn: conn.id,
      user: conn.name,
      room,
      maxRooms: hub.roomLimits.maxRooms,
    });
  } else {
    hub.clientLog.info(`room limit: ${command} refused, the user is in maxRoomsPerUser rooms`, {
      conn: conn.id,
      user: conn.name,
      room,
      maxRoomsPerUser: hub.roomLimits.maxRoomsPerUser,
    });
  }
}

function getUserList(hub: Hub, conn: Connection, payload: Buffer): Awaitable<void> {
  const user = conn.name;
  if (user === undefined) {
    conn.send(userListResult(payload, UserListError.NotInRoom));
    return undefined;
  }
  const room = payload.toString('utf8');
  if (nameProblem('room', room) !== undefined) {
    conn.send(userListResult(payload, UserListError.NoSuchRoom));
    return undefined;
  }
  return settle(hub.registry.members(room), (members) => {
    if (members === undefined) conn.send(userListResult(payload, UserListError.NoSuchRoom));
    else if (!members.includes(user)) conn.send(userListResult(payload, UserListError.NotInRoom));
    else conn.send(userListResult(payload, members));
  });
}

/** Data: the payload is `buffer` from `start` to `end` (the received frame, header first). */
function data(
  hub: Hub,
  conn: Connection,
  buffer: Buffer,
  start: number,
  end: number,
): Awaitable<void> {
  const sender = conn.name;
  const stats = hub.stats;
  if (sender === undefined) {
    if (stats) stats.dataDropped.unregistered++;
    return undefined; // dropped before SetUserName
  }
  if (start === end || start + 1 + buffer[start]! > end) {
    if (stats) stats.dataDropped.malformed++;
    hub.clientLog.warn('malformed Data dropped: room length runs past the payload', {
      conn: conn.id,
      user: sender,
      bytes: end - start,
    });
    conn.malformed();
    return undefined;
  }
  const room = dataRooms.decode(buffer, start + 1, start + 1 + buffer[start]!);
  if (stats === undefined) {
    return settle(hub.registry.membersIfMember(room, sender), (members) => {
      // Not a member, or no such room: dropped without a response (decisions.md).
      if (members === undefined) return;
      relayData(hub, conn, room, buffer, start, end, members);
      hub.remote?.relay(room, sender, buffer.subarray(start - HEADER_SIZE, end));
    });
  }
  // The same with the counters. One message in FANOUT_SAMPLE is timed: a clock read costs
  // 100+ ns on some hosts, more than the rest of a small relay's counting. The latency
  // includes the registry's lookup (in a cluster, its round trip), up to the last
  // recipient's frame queued for this turn's flush.
  const began = ++stats.fanoutTick % FANOUT_SAMPLE === 0 ? performance.now() : -1;
  return settle(hub.registry.membersIfMember(room, sender), (members) => {
    if (members === undefined) {
      stats.dataDropped.notMember++;
      return;
    }
    relayData(hub, conn, room, buffer, start, end, members);
    hub.remote?.relay(room, sender, buffer.subarray(start - HEADER_SIZE, end));
    stats.dataRelayed++;
    if (began >= 0) stats.fanoutSeconds.observe((performance.now() - began) / 1000);
  });
}

/** The room of the last Data relayed: a busy room's frames repeat it (see NameMemo). */
const dataRooms = new NameMemo();

/** Frees a closed connection's name and memberships; rooms stay (decisions.md). */
export function releaseConnection(hub: Hub, conn: Connection): Awaitable<void> {
  const name = conn.name;
  if (name === undefined) return undefined;
  if (hub.byName.get(name) === conn) hub.byName.delete(name);
  return settle(hub.registry.removeUser(name), (rooms) => {
    if (rooms.length > 0) hub.roomList.invalidate();
    for (const { room, members } of rooms) {
      sendPresence(hub, members, name, { room, event: 'leave', user: name });
    }
  });
}
