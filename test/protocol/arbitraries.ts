/**
 * fast-check arbitraries for valid MPCRP messages and for hostile byte streams.
 * Names follow decisions.md independently of names.ts: 1-20 code points, no white
 * space or controls, no ':' in a room ID.
 */
import fc from 'fast-check';
import { type Message, MessageType, UserListError } from '../../src/protocol/index.js';

const BAD_NAME_CHAR = /[\s\p{Cc}\p{Cs}\uFFFD]/u;

function nameChar(kind: 'username' | 'room'): fc.Arbitrary<string> {
  return fc
    .oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0x10ffff }))
    .map((cp) => String.fromCodePoint(cp))
    .filter((c) => !BAD_NAME_CHAR.test(c) && !(kind === 'room' && c === ':'));
}

/** Plain-prototype records, so decoded messages can be compared with toStrictEqual. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

export const usernameArb = fc
  .array(nameChar('username'), { minLength: 1, maxLength: 20 })
  .map((cs) => cs.join(''));
export const roomArb = fc
  .array(nameChar('room'), { minLength: 1, maxLength: 20 })
  .map((cs) => cs.join(''));
/** Any well-formed text, including empty and astral characters. */
export const textArb = fc.string({ unit: 'binary', maxLength: 200 });

const roomCommandType = fc.constantFrom(
  MessageType.CreateRoom,
  MessageType.JoinRoom,
  MessageType.GetUserList,
  MessageType.DestroyRoom,
  MessageType.QuitRoom,
);
const roomResultType = fc.constantFrom(
  MessageType.CreateRoomResponse,
  MessageType.JoinRoomResponse,
  MessageType.DestroyRoomResponse,
  MessageType.QuitRoomResponse,
);
const extensionNames = fc.array(
  fc.oneof(fc.constantFrom('sender', 'presence', 'rooms'), fc.string()),
  {
    maxLength: 4,
  },
);

export const messageArb: fc.Arbitrary<Message> = fc.oneof(
  rec({ type: fc.constant(MessageType.SetUserName), username: usernameArb }),
  rec({ type: fc.constant(MessageType.SetUserNameResponse), ok: fc.boolean() }),
  rec({ type: roomCommandType, room: roomArb }),
  rec({ type: roomResultType, room: roomArb, ok: fc.boolean() }),
  rec({
    type: fc.constant(MessageType.GetUserListResponse),
    room: roomArb,
    ok: fc.constant(true as const),
    users: fc.array(usernameArb, { maxLength: 8 }),
  }),
  rec({
    type: fc.constant(MessageType.GetUserListResponse),
    room: roomArb,
    ok: fc.constant(false as const),
    error: fc.oneof(fc.constantFrom(UserListError.NoSuchRoom, UserListError.NotInRoom), textArb),
  }),
  rec({ type: fc.constant(MessageType.Data), room: roomArb, text: textArb }),
  rec({ type: fc.constant(MessageType.Hello), v: fc.nat(), want: extensionNames }),
  rec({ type: fc.constant(MessageType.Welcome), v: fc.nat(), ext: extensionNames }),
  rec({
    type: fc.constant(MessageType.DataFrom),
    room: roomArb,
    sender: usernameArb,
    text: textArb,
  }),
  rec({
    type: fc.constant(MessageType.Presence),
    room: roomArb,
    event: fc.constantFrom('join' as const, 'leave' as const, 'destroy' as const),
    user: usernameArb,
  }),
  rec({
    type: fc.constant(MessageType.Presence),
    room: roomArb,
    event: fc.constant('rename' as const),
    user: usernameArb,
    old: usernameArb,
  }),
  rec({ type: fc.constant(MessageType.ListRooms) }),
  rec({
    type: fc.constant(MessageType.RoomList),
    rooms: fc.array(rec({ room: roomArb, members: fc.nat() }), { maxLength: 8 }),
  }),
);

/** Arbitrary cut positions; `chunkAt` folds them into range. */
export const cutsArb = fc.array(fc.nat(), { maxLength: 40 });

const knownType = fc.constantFrom(
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  12,
  13,
  128,
  129,
  130,
  131,
  132,
  133,
);
const anyType = fc.oneof(knownType, fc.integer({ min: 0, max: 255 }));

/** Payload bytes that are sometimes close to valid: JSON, `room:result`, length-prefixed. */
const nearValidPayload = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.json().map((j) => Buffer.from(j)),
  fc.tuple(fc.string(), fc.json()).map(([room, j]) => Buffer.from(`${room}:${j}`)),
  fc
    .tuple(fc.string(), fc.constantFrom('0', '1', '2', '', '00'))
    .map(([r, c]) => Buffer.from(`${r}:${c}`)),
  fc
    .tuple(fc.nat(255), fc.uint8Array({ maxLength: 20 }))
    .map(([n, rest]) => Buffer.from([n, ...rest])),
);

/** A frame header with any type and a length that may or may not match what follows. */
function header(type: number, length: number): Buffer {
  return Buffer.from([type, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
}

/** Well-framed frames of known and unknown types with near-valid payloads. */
export const rawFrameArb = fc
  .tuple(anyType, nearValidPayload)
  .map(([type, payload]) => ({ type, payload: Buffer.from(payload) }));

/** Byte streams: mostly frame-shaped pieces (some with lying lengths), sometimes pure noise. */
export const hostileBytesArb: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), weight: 1 },
  {
    arbitrary: fc
      .array(
        fc.oneof(
          {
            arbitrary: rawFrameArb.map((f) =>
              Buffer.concat([header(f.type, f.payload.length), f.payload]),
            ),
            weight: 6,
          },
          {
            arbitrary: fc
              .tuple(anyType, fc.nat(96), fc.uint8Array({ maxLength: 96 }))
              .map(([t, n, p]) => Buffer.concat([header(t, n), p])),
            weight: 1,
          },
          { arbitrary: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)), weight: 1 },
        ),
        { minLength: 1, maxLength: 12 },
      )
      .map((parts) => Buffer.concat(parts)),
    weight: 3,
  },
);
