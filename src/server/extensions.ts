import { MalformedPayloadError } from '../errors.js';
import { decodeMessage, encodeMessage } from '../protocol/codec.js';
import { ALL_EXTENSIONS, MessageType } from '../protocol/types.js';
import type { Connection } from './connection.js';
import type { Hub } from './handlers.js';
import type { Awaitable } from './registry.js';

/** The Welcome version this server speaks. */
const VERSION = 1;

/**
 * Hello (128): grants the wanted extensions this server has, replacing any earlier grant,
 * and answers Welcome (129) in line with the other responses. The caller has checked
 * that extensions are on and the connection is registered.
 */
export function handleHello(hub: Hub, conn: Connection, payload: Buffer): undefined {
  let want: readonly string[];
  try {
    const message = decodeMessage({ type: MessageType.Hello, payload });
    want = message?.type === MessageType.Hello ? message.want : [];
  } catch (error) {
    if (!(error instanceof MalformedPayloadError)) throw error;
    hub.clientLog.warn('malformed Hello dropped', { conn: conn.id, user: conn.name, error });
    conn.malformed();
    return undefined;
  }
  const ext = ALL_EXTENSIONS.filter((e) => want.includes(e));
  conn.grants = {
    sender: ext.includes('sender'),
    presence: ext.includes('presence'),
    rooms: ext.includes('rooms'),
  };
  conn.send(encodeMessage({ type: MessageType.Welcome, v: VERSION, ext }));
  return undefined;
}

/**
 * ListRooms (132) from a connection granted `rooms`: RoomList (133), sorted by room ID,
 * from the server's RoomListCache (so a flood of them costs no rebuilds).
 */
export function handleListRooms(hub: Hub, conn: Connection): Awaitable<void> {
  const frame = hub.roomList.frame();
  if (frame instanceof Promise) return frame.then((f) => conn.send(f));
  conn.send(frame);
  return undefined;
}
