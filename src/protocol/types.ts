/**
 * MPCRP message types (RFC 8890 section 3.2) and the negotiated extensions
 * (types 128-133, see docs/extensions.md).
 */
export const MessageType = {
  SetUserName: 1,
  SetUserNameResponse: 2,
  CreateRoom: 3,
  CreateRoomResponse: 4,
  JoinRoom: 5,
  JoinRoomResponse: 6,
  GetUserList: 7,
  GetUserListResponse: 8,
  DestroyRoom: 9,
  DestroyRoomResponse: 10,
  QuitRoom: 11,
  QuitRoomResponse: 12,
  Data: 13,
  Hello: 128,
  Welcome: 129,
  DataFrom: 130,
  Presence: 131,
  ListRooms: 132,
  RoomList: 133,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The 3-byte length field caps every payload at 2^24 - 1 bytes. */
export const MAX_WIRE_PAYLOAD = 0xff_ff_ff;
/** Default cap a peer applies to announced payload lengths (decisions.md: 64 KiB). */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;
export const HEADER_SIZE = 4;
export const DEFAULT_PORT = 8890;

/** A raw frame: `payload` may be a view into a larger buffer; copy it if you keep it. */
export interface Frame {
  type: number;
  payload: Buffer;
}

export type RoomCommandType =
  | typeof MessageType.CreateRoom
  | typeof MessageType.JoinRoom
  | typeof MessageType.GetUserList
  | typeof MessageType.DestroyRoom
  | typeof MessageType.QuitRoom;

export type RoomResultType =
  | typeof MessageType.CreateRoomResponse
  | typeof MessageType.JoinRoomResponse
  | typeof MessageType.DestroyRoomResponse
  | typeof MessageType.QuitRoomResponse;

export interface SetUserNameMessage {
  type: typeof MessageType.SetUserName;
  username: string;
}
export interface SetUserNameResponseMessage {
  type: typeof MessageType.SetUserNameResponse;
  ok: boolean;
}
export interface RoomCommandMessage {
  type: RoomCommandType;
  room: string;
}
export interface RoomResultMessage {
  type: RoomResultType;
  room: string;
  ok: boolean;
}

/** The two failure strings of GetUserList Response, verbatim from decisions.md. */
export const UserListError = {
  NoSuchRoom: 'room ID does not exist',
  NotInRoom: 'You have no right to view the user list because you are not in the chatting room',
} as const;
export type UserListError = (typeof UserListError)[keyof typeof UserListError];

export type UserListResponseMessage =
  | { type: typeof MessageType.GetUserListResponse; room: string; ok: true; users: string[] }
  | { type: typeof MessageType.GetUserListResponse; room: string; ok: false; error: string };

export interface DataMessage {
  type: typeof MessageType.Data;
  room: string;
  text: string;
}

export const Extension = {
  Sender: 'sender',
  Presence: 'presence',
  Rooms: 'rooms',
} as const;
export type Extension = (typeof Extension)[keyof typeof Extension];
export const ALL_EXTENSIONS: readonly Extension[] = [
  Extension.Sender,
  Extension.Presence,
  Extension.Rooms,
];

export interface HelloMessage {
  type: typeof MessageType.Hello;
  v: number;
  want: string[];
}
export interface WelcomeMessage {
  type: typeof MessageType.Welcome;
  v: number;
  ext: string[];
}
export interface DataFromMessage {
  type: typeof MessageType.DataFrom;
  room: string;
  sender: string;
  text: string;
}

export type PresenceEvent =
  | { room: string; event: 'join'; user: string }
  | { room: string; event: 'leave'; user: string }
  | { room: string; event: 'rename'; user: string; old: string }
  | { room: string; event: 'destroy'; user: string };

export type PresenceMessage = { type: typeof MessageType.Presence } & PresenceEvent;

export interface ListRoomsMessage {
  type: typeof MessageType.ListRooms;
}
export interface RoomInfo {
  room: string;
  members: number;
}
export interface RoomListMessage {
  type: typeof MessageType.RoomList;
  rooms: RoomInfo[];
}

/** Every message this package understands, discriminated on `type`. */
export type Message =
  | SetUserNameMessage
  | SetUserNameResponseMessage
  | RoomCommandMessage
  | RoomResultMessage
  | UserListResponseMessage
  | DataMessage
  | HelloMessage
  | WelcomeMessage
  | DataFromMessage
  | PresenceMessage
  | ListRoomsMessage
  | RoomListMessage;

const RESPONSE_TYPES: ReadonlySet<number> = new Set([2, 4, 6, 8, 10, 12]);
/** Types a server sends; a server ignores them when a client sends one (decisions.md). */
export function isResponseType(type: number): boolean {
  return RESPONSE_TYPES.has(type);
}
