import { encodeFrame, writeHeader } from '../protocol/codec.js';
import { HEADER_SIZE, MessageType, type RoomInfo } from '../protocol/types.js';

const COLON = 0x3a;
const SUCCESS = 0x30;
const FAILURE = 0x31;
/**
 * A room ID echoed in a response is cut to this many bytes. Every valid ID is at most
 * 80 bytes, so this only trims junk, and keeps every response far below any payload limit.
 */
const MAX_ECHO = 255;

function echo(room: Buffer): Buffer {
  return room.length > MAX_ECHO ? room.subarray(0, MAX_ECHO) : room;
}

/** SetUserName Response: exactly one byte, '0' or '1'. */
export function nameResult(ok: boolean): Buffer {
  return encodeFrame(MessageType.SetUserNameResponse, ok ? '0' : '1');
}

/**
 * `<room>:<0|1>` for CreateRoom, JoinRoom, DestroyRoom and QuitRoom. The room is echoed
 * as the raw bytes received, so a client can match the response even to an invalid ID.
 */
export function roomResult(type: number, room: Buffer, ok: boolean): Buffer {
  const id = echo(room);
  const out = Buffer.allocUnsafe(HEADER_SIZE + id.length + 2);
  writeHeader(out, 0, type, id.length + 2);
  id.copy(out, HEADER_SIZE);
  out[HEADER_SIZE + id.length] = COLON;
  out[HEADER_SIZE + id.length + 1] = ok ? SUCCESS : FAILURE;
  return out;
}

/** GetUserList Response: `<room>:<JSON>`, the JSON an array of names or an error string. */
export function userListResult(room: Buffer, value: readonly string[] | string): Buffer {
  const json = Buffer.from(`:${JSON.stringify(value)}`, 'utf8');
  return encodeFrame(MessageType.GetUserListResponse, Buffer.concat([echo(room), json]));
}

/**
 * RoomList: the rooms, in the order given, that fit in `maxPayload`. A server can hold
 * more rooms than one frame lists; the list then ends early (the caller logs it).
 */
export function roomListResult(
  rooms: readonly RoomInfo[],
  maxPayload: number,
): { frame: Buffer; listed: number } {
  const parts: string[] = [];
  let bytes = 2; // [ and ]
  for (const { room, members } of rooms) {
    const part = JSON.stringify({ room, members });
    const size = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0);
    if (bytes + size > maxPayload) break;
    parts.push(part);
    bytes += size;
  }
  return {
    frame: encodeFrame(MessageType.RoomList, `[${parts.join(',')}]`),
    listed: parts.length,
  };
}
