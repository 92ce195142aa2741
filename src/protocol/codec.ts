import { FrameTooLargeError, MalformedPayloadError } from '../errors.js';
import { NameMemo, shortAsciiLength, writeAscii } from './short-strings.js';
import {
  type DataFromMessage,
  type DataMessage,
  type Frame,
  HEADER_SIZE,
  MAX_WIRE_PAYLOAD,
  type Message,
  MessageType,
  type PresenceEvent,
  type PresenceMessage,
  type RoomInfo,
} from './types.js';

const SUCCESS = 0x30; // '0'
const FAILURE = 0x31; // '1'

/** Writes a 4-byte header (type, 24-bit big-endian length) at `offset`. */
export function writeHeader(target: Buffer, offset: number, type: number, length: number): void {
  if (length > MAX_WIRE_PAYLOAD) throw new FrameTooLargeError(length, MAX_WIRE_PAYLOAD);
  target[offset] = type;
  target[offset + 1] = (length >>> 16) & 0xff;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
}

/**
 * Encodes one frame: header plus payload, in a single new buffer.
 *
 * @example
 * encodeFrame(MessageType.SetUserName, 'alice'); // <01 00 00 05 61 6c 69 63 65>
 */
export function encodeFrame(type: number, payload: Uint8Array | string = ''): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(out, 0, type, length);
  if (typeof payload === 'string') out.write(payload, HEADER_SIZE, 'utf8');
  else out.set(payload, HEADER_SIZE);
  return out;
}

/** Encodes a Data (13) frame: 1 byte room length, room ID, text. */
export function encodeData(room: string, text: string | Uint8Array): Buffer {
  // Sized first and written in place: one buffer per frame, not one per part as well.
  const roomAscii = shortAsciiLength(room);
  const roomLength = roomAscii >= 0 ? roomAscii : Buffer.byteLength(room);
  if (roomLength > 0xff) {
    throw new MalformedPayloadError(MessageType.Data, 'room ID longer than 255 bytes');
  }
  const textAscii = typeof text === 'string' ? shortAsciiLength(text) : -1;
  const textLength =
    textAscii >= 0 ? textAscii : typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  const length = 1 + roomLength + textLength;
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(out, 0, MessageType.Data, length);
  out[HEADER_SIZE] = roomLength;
  const at = HEADER_SIZE + 1 + roomLength;
  if (roomAscii >= 0) writeAscii(out, room, HEADER_SIZE + 1);
  else out.write(room, HEADER_SIZE + 1, 'utf8');
  if (textAscii >= 0) writeAscii(out, text as string, at);
  else if (typeof text === 'string') out.write(text, at, 'utf8');
  else out.set(text, at);
  return out;
}

/**
 * Bytes a DataFrom (130) adds to the Data payload it relays: the sender's length byte and
 * name. Text that is to reach members granted `sender` whole, sender included, leaves room
 * for it (a server sends plain Data, without the sender, when the DataFrom would not fit).
 */
export function dataFromOverhead(sender: string): number {
  return 1 + Buffer.byteLength(sender);
}

/** Encodes a DataFrom (130) frame: room length, room, sender length, sender, text. */
export function encodeDataFrom(room: string, sender: string, text: string | Uint8Array): Buffer {
  const roomAscii = shortAsciiLength(room);
  const senderAscii = shortAsciiLength(sender);
  const roomLength = roomAscii >= 0 ? roomAscii : Buffer.byteLength(room);
  const senderLength = senderAscii >= 0 ? senderAscii : Buffer.byteLength(sender);
  if (roomLength > 0xff || senderLength > 0xff) {
    throw new MalformedPayloadError(
      MessageType.DataFrom,
      'room ID or sender longer than 255 bytes',
    );
  }
  const textBytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const length = 2 + roomLength + senderLength + textBytes.length;
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(out, 0, MessageType.DataFrom, length);
  let at = HEADER_SIZE;
  out[at++] = roomLength;
  if (roomAscii >= 0) writeAscii(out, room, at);
  else out.write(room, at, 'utf8');
  at += roomLength;
  out[at++] = senderLength;
  if (senderAscii >= 0) writeAscii(out, sender, at);
  else out.write(sender, at, 'utf8');
  at += senderLength;
  out.set(textBytes, at);
  return out;
}

/**
 * Splits a Data payload into its room ID and the raw text bytes (a view, not a copy),
 * so a relay never has to decode the text.
 */
export function splitData(payload: Buffer): { room: string; text: Buffer } {
  if (payload.length < 1) throw new MalformedPayloadError(MessageType.Data, 'empty payload');
  const roomLength = payload[0]!;
  if (1 + roomLength > payload.length) {
    throw new MalformedPayloadError(
      MessageType.Data,
      `room length ${roomLength} exceeds the ${payload.length - 1} bytes that follow`,
    );
  }
  return {
    room: roomNames.decode(payload, 1, 1 + roomLength),
    text: payload.subarray(1 + roomLength),
  };
}

function resultPayload(room: string, ok: boolean): string {
  return `${room}:${ok ? '0' : '1'}`;
}

/** Encodes any message to one frame. */
export function encodeMessage(message: Message): Buffer {
  switch (message.type) {
    case MessageType.SetUserName:
      return encodeFrame(message.type, message.username);
    case MessageType.SetUserNameResponse:
      return encodeFrame(message.type, message.ok ? '0' : '1');
    case MessageType.CreateRoom:
    case MessageType.JoinRoom:
    case MessageType.GetUserList:
    case MessageType.DestroyRoom:
    case MessageType.QuitRoom:
      return encodeFrame(message.type, message.room);
    case MessageType.CreateRoomResponse:
    case MessageType.JoinRoomResponse:
    case MessageType.DestroyRoomResponse:
    case MessageType.QuitRoomResponse:
      return encodeFrame(message.type, resultPayload(message.room, message.ok));
    case MessageType.GetUserListResponse:
      return encodeFrame(
        message.type,
        `${message.room}:${JSON.stringify(message.ok ? message.users : message.error)}`,
      );
    case MessageType.Data:
      return encodeData(message.room, message.text);
    case MessageType.Hello:
      return encodeFrame(message.type, JSON.stringify({ v: message.v, want: message.want }));
    case MessageType.Welcome:
      return encodeFrame(message.type, JSON.stringify({ v: message.v, ext: message.ext }));
    case MessageType.DataFrom:
      return encodeDataFrom(message.room, message.sender, message.text);
    case MessageType.Presence: {
      const { type: _type, ...event } = message;
      return encodeFrame(message.type, JSON.stringify(event));
    }
    case MessageType.ListRooms:
      return encodeFrame(message.type);
    case MessageType.RoomList:
      return encodeFrame(message.type, JSON.stringify(message.rooms));
  }
}

function parseJson(type: number, payload: Buffer | string): unknown {
  try {
    return JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (cause) {
    throw new MalformedPayloadError(type, 'payload is not valid JSON', { cause });
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function jsonObject(type: number, payload: Buffer): Record<string, unknown> {
  const value = parseJson(type, payload);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedPayloadError(type, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** `<room>:<rest>`; room IDs contain no ':' so the first colon separates. */
function splitRoom(type: number, payload: Buffer): [string, string] {
  const text = payload.toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new MalformedPayloadError(type, "missing ':' after the room ID");
  return [text.slice(0, colon), text.slice(colon + 1)];
}

function parseResult(type: number, payload: Buffer): boolean {
  const [, result] = splitRoom(type, payload);
  if (result === '0') return true;
  if (result === '1') return false;
  throw new MalformedPayloadError(type, `result must be '0' or '1', got ${JSON.stringify(result)}`);
}

function parsePresence(payload: Buffer): PresenceMessage {
  const o = jsonObject(MessageType.Presence, payload);
  const { room, event, user, old } = o;
  if (typeof room !== 'string' || typeof user !== 'string') {
    throw new MalformedPayloadError(MessageType.Presence, 'room and user must be strings');
  }
  let parsed: PresenceEvent;
  if (event === 'rename') {
    if (typeof old !== 'string') {
      throw new MalformedPayloadError(MessageType.Presence, "rename needs 'old'");
    }
    parsed = { room, event, user, old };
  } else if (event === 'join' || event === 'leave' || event === 'destroy') {
    parsed = { room, event, user };
  } else {
    throw new MalformedPayloadError(MessageType.Presence, `unknown event ${JSON.stringify(event)}`);
  }
  return { type: MessageType.Presence, ...parsed };
}

function parseDataFrom(payload: Buffer): DataFromMessage {
  const type = MessageType.DataFrom;
  const roomLength = payload[0];
  if (roomLength === undefined || 1 + roomLength >= payload.length) {
    throw new MalformedPayloadError(type, 'room length runs past the payload');
  }
  const senderAt = 1 + roomLength;
  const senderLength = payload[senderAt]!;
  const textAt = senderAt + 1 + senderLength;
  if (textAt > payload.length) {
    throw new MalformedPayloadError(type, 'sender length runs past the payload');
  }
  return {
    type,
    room: roomNames.decode(payload, 1, senderAt),
    sender: senderNames.decode(payload, senderAt + 1, textAt),
    text: payload.toString('utf8', textAt),
  };
}

// The room and sender of the last DataFrom decoded: the next one usually repeats them.
const roomNames = new NameMemo();
const senderNames = new NameMemo();

/**
 * Decodes a frame into a typed message. Returns `undefined` for a type this package does
 * not know (peers ignore those, per decisions.md). Throws {@link MalformedPayloadError}
 * when the payload does not fit its type.
 */
export function decodeMessage(frame: Frame): Message | undefined {
  const { type, payload } = frame;
  switch (type) {
    case MessageType.SetUserName:
      return { type, username: payload.toString('utf8') };
    case MessageType.SetUserNameResponse:
      if (payload.length !== 1 || (payload[0] !== SUCCESS && payload[0] !== FAILURE)) {
        throw new MalformedPayloadError(type, "payload must be the single byte '0' or '1'");
      }
      return { type, ok: payload[0] === SUCCESS };
    case MessageType.CreateRoom:
    case MessageType.JoinRoom:
    case MessageType.GetUserList:
    case MessageType.DestroyRoom:
    case MessageType.QuitRoom:
      return { type, room: payload.toString('utf8') };
    case MessageType.CreateRoomResponse:
    case MessageType.JoinRoomResponse:
    case MessageType.DestroyRoomResponse:
    case MessageType.QuitRoomResponse: {
      const ok = parseResult(type, payload);
      return { type, room: splitRoom(type, payload)[0], ok };
    }
    case MessageType.GetUserListResponse: {
      const [room, json] = splitRoom(type, payload);
      const value = parseJson(type, json);
      if (isStringArray(value)) return { type, room, ok: true, users: value };
      if (typeof value === 'string') return { type, room, ok: false, error: value };
      throw new MalformedPayloadError(type, 'expected a JSON array of names or an error string');
    }
    case MessageType.Data: {
      const { room, text } = splitData(payload);
      return { type, room, text: text.toString('utf8') } satisfies DataMessage;
    }
    case MessageType.Hello: {
      const o = jsonObject(type, payload);
      const want = o.want ?? [];
      if (typeof o.v !== 'number' || !isStringArray(want)) {
        throw new MalformedPayloadError(type, 'expected {"v":number,"want":[string...]}');
      }
      return { type, v: o.v, want };
    }
    case MessageType.Welcome: {
      const o = jsonObject(type, payload);
      if (typeof o.v !== 'number' || !isStringArray(o.ext)) {
        throw new MalformedPayloadError(type, 'expected {"v":number,"ext":[string...]}');
      }
      return { type, v: o.v, ext: o.ext };
    }
    case MessageType.DataFrom:
      return parseDataFrom(payload);
    case MessageType.Presence:
      return parsePresence(payload);
    case MessageType.ListRooms:
      return { type };
    case MessageType.RoomList: {
      const value = parseJson(type, payload);
      if (
        !Array.isArray(value) ||
        !value.every(
          (r): r is RoomInfo =>
            typeof r === 'object' &&
            r !== null &&
            typeof r.room === 'string' &&
            typeof r.members === 'number',
        )
      ) {
        throw new MalformedPayloadError(type, 'expected [{"room":string,"members":number}...]');
      }
      return { type, rooms: value.map((r) => ({ room: r.room, members: r.members })) };
    }
    default:
      return undefined;
  }
}
