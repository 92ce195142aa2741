import { EventEmitter } from 'node:events';
import {
  ConnectionClosedError,
  ExtensionUnavailableError,
  FrameTooLargeError,
  MalformedPayloadError,
  NameTakenError,
  NotMemberError,
  NotMpcrpServerError,
  NotOwnerError,
  NotRegisteredError,
  RoomExistsError,
  RoomNotFoundError,
  TextTooLongError,
} from '../errors.js';
import {
  dataFromOverhead,
  decodeMessage,
  encodeData,
  encodeFrame,
  encodeMessage,
} from '../protocol/codec.js';
import { FrameDecoder } from '../protocol/decoder.js';
import { assertName } from '../protocol/names.js';
import {
  ALL_EXTENSIONS,
  DEFAULT_MAX_PAYLOAD,
  Extension,
  type Frame,
  type Message,
  MessageType,
  type PresenceEvent,
  type RoomInfo,
  UserListError,
} from '../protocol/types.js';
import type { Transport } from '../transport/transport.js';
import { PendingRequests } from './pending.js';

export interface ClientOptions {
  /** Milliseconds to wait for any response. Default 10,000; 0 waits forever. */
  requestTimeout?: number;
  /** Largest frame accepted from the server, and largest Data frame sent. Default 64 KiB. */
  maxPayload?: number;
  /** Sees every frame in and out, e.g. to dump them (`-vv`). */
  onFrame?: (direction: 'in' | 'out', frame: Frame) => void;
}

/** A room message as delivered; `sender` is known only with the `sender` extension. */
export interface RoomMessage {
  room: string;
  text: string;
  sender?: string;
}

export interface ClientEvents {
  message: [message: RoomMessage];
  presence: [event: PresenceEvent];
  /** The connection is gone; `error` says why when it was not our own close(). */
  close: [error: Error | undefined];
}

/** Room ID used for round trips whose answer does not matter (probe, ping). */
const PROBE_ROOM = '~probe';

const ROOM_RESULT_TYPES = new Set<number>([
  MessageType.CreateRoomResponse,
  MessageType.JoinRoomResponse,
  MessageType.DestroyRoomResponse,
  MessageType.QuitRoomResponse,
]);

/**
 * One MPCRP client connection over any {@link Transport}. Every command returns a promise
 * settled by its response; failures are typed errors from `errors.ts`.
 *
 * @example
 * const client = await connect('mpcrp://127.0.0.1:8890', { username: 'alice' });
 * await client.joinRoom('lobby');
 * client.on('message', (m) => console.log(m.room, m.sender, m.text));
 * client.send('lobby', 'hello');
 * await client.ping(); // the server has relayed everything sent before this
 */
export class MpcrpClient extends EventEmitter<ClientEvents> {
  readonly maxPayload: number;
  readonly requestTimeout: number;
  #transport: Transport;
  #decoder: FrameDecoder;
  /** A frame of a type MPCRP knows has arrived: the peer speaks MPCRP. */
  #heard = false;
  #pending = new PendingRequests();
  #username: string | undefined;
  #extensions = new Set<Extension>();
  #rooms = new Set<string>();
  #closed = false;
  #closing = false;
  #onFrame: ClientOptions['onFrame'];
  /** Frames written this tick, handed to the transport together at its end (one syscall). */
  #out: Buffer[] = [];
  #flushing = false;

  constructor(transport: Transport, options: ClientOptions = {}) {
    super();
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.requestTimeout = options.requestTimeout ?? 10_000;
    this.#onFrame = options.onFrame;
    this.#transport = transport;
    this.#decoder = new FrameDecoder({ maxPayload: this.maxPayload });
    transport.on('data', (chunk) => this.#onData(chunk));
    transport.on('error', () => {
      // 'close' follows with the reason; handled there.
    });
    transport.on('close', (hadError) => {
      this.#shutdown(
        this.#closing
          ? undefined
          : new ConnectionClosedError(
              hadError ? 'the connection failed' : 'the server closed the connection',
            ),
      );
    });
  }

  /** The username the server accepted, once set. */
  get username(): string | undefined {
    return this.#username;
  }

  /** Extensions the server granted (empty on a strict RFC server). */
  get extensions(): ReadonlySet<Extension> {
    return this.#extensions;
  }

  /** Rooms this connection created or joined and has not left. */
  get rooms(): ReadonlySet<string> {
    return this.#rooms;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sets (or changes) the username. Rejects with NameTakenError or InvalidNameError. */
  async setUserName(name: string): Promise<void> {
    assertName('username', name);
    const ok = await this.#request<boolean>(
      encodeMessage({ type: MessageType.SetUserName, username: name }),
      String(MessageType.SetUserNameResponse),
      'SetUserName',
    );
    if (!ok) throw new NameTakenError(name);
    this.#username = name;
  }

  /** Creates a room and joins it. Rejects with RoomExistsError when the ID is in use. */
  async createRoom(room: string): Promise<void> {
    if (!(await this.#roomCommand(MessageType.CreateRoom, room))) throw new RoomExistsError(room);
    this.#rooms.add(room);
  }

  /** Joins an existing room (joining twice is fine). Rejects with RoomNotFoundError. */
  async joinRoom(room: string): Promise<void> {
    if (!(await this.#roomCommand(MessageType.JoinRoom, room))) throw new RoomNotFoundError(room);
    this.#rooms.add(room);
  }

  /** Leaves a room. Rejects with NotMemberError when not in it or it does not exist. */
  async quitRoom(room: string): Promise<void> {
    const ok = await this.#roomCommand(MessageType.QuitRoom, room);
    this.#rooms.delete(room);
    if (!ok) throw new NotMemberError(room);
  }

  /** Destroys a room this user created. Rejects with NotOwnerError otherwise. */
  async destroyRoom(room: string): Promise<void> {
    if (!(await this.#roomCommand(MessageType.DestroyRoom, room))) throw new NotOwnerError(room);
    this.#rooms.delete(room);
  }

  /** Members of a room this user is in, in join order. */
  async getUserList(room: string): Promise<string[]> {
    this.#requireUser();
    assertName('room', room);
    const result = await this.#request<Extract<Message, { type: 8 }>>(
      encodeFrame(MessageType.GetUserList, room),
      `${MessageType.GetUserListResponse}:${room}`,
      `GetUserList ${room}`,
    );
    if (result.ok) return result.users;
    if (result.error === UserListError.NoSuchRoom) throw new RoomNotFoundError(room);
    throw new NotMemberError(room);
  }

  /**
   * Sends text to a room. Fire-and-forget, as the protocol is: await {@link ping} to know
   * the server has processed it. Throws TextTooLongError when it does not fit one frame.
   */
  send(room: string, text: string): void {
    this.#requireOpen();
    this.#requireUser();
    // A room this connection entered was checked when it did.
    if (!this.#rooms.has(room)) assertName('room', room);
    // UTF-8 takes at most 3 bytes per UTF-16 unit and a room ID at most 255: text short
    // enough to fit however it encodes is not measured (encodeData sizes it anyway).
    if (text.length * 3 + 256 > this.maxPayload) {
      const limit = this.maxTextBytes(room);
      const bytes = Buffer.byteLength(text);
      if (bytes > limit) throw new TextTooLongError(bytes, limit);
    }
    this.#write(encodeData(room, text));
  }

  /** Bytes of text that fit in one Data frame to `room` under this client's maxPayload. */
  maxTextBytes(room: string): number {
    return this.maxPayload - 1 - Buffer.byteLength(room);
  }

  /**
   * Bytes of text per message that reach every member with the sender named: a member
   * granted the `sender` extension gets the message as DataFrom, which adds this client's
   * username to the payload. The size to split long text to.
   */
  maxRelayedTextBytes(room: string): number {
    return this.maxTextBytes(room) - dataFromOverhead(this.#username ?? '');
  }

  /**
   * One round trip. The server answers in order, so when this resolves it has processed
   * (and relayed) everything this client sent before.
   */
  async ping(): Promise<void> {
    this.#requireUser();
    await this.#request(
      encodeFrame(MessageType.GetUserList, PROBE_ROOM),
      `${MessageType.GetUserListResponse}:${PROBE_ROOM}`,
      'ping',
    );
  }

  /**
   * Asks for extensions with Hello and learns the answer in one round trip: a GetUserList
   * follows the Hello, and a strict server answers only that. Resolves to what was granted.
   */
  async negotiate(want: readonly Extension[] = ALL_EXTENSIONS): Promise<ReadonlySet<Extension>> {
    this.#requireUser();
    const welcome = this.#pending.wait<string[]>(
      String(MessageType.Welcome),
      'Hello',
      this.requestTimeout,
    );
    welcome.catch(() => {});
    this.#write(encodeMessage({ type: MessageType.Hello, v: 1, want: [...want] }));
    await this.ping();
    // A Welcome would have arrived before the GetUserList answer; none means a strict server.
    this.#pending.settle(String(MessageType.Welcome), []);
    const granted = await welcome;
    this.#extensions = new Set(
      granted.filter((e): e is Extension => (ALL_EXTENSIONS as string[]).includes(e)),
    );
    return this.#extensions;
  }

  /** Every room on the server with its member count (needs the `rooms` extension). */
  async listRooms(): Promise<RoomInfo[]> {
    if (!this.#extensions.has(Extension.Rooms)) throw new ExtensionUnavailableError('rooms');
    return this.#request<RoomInfo[]>(
      encodeFrame(MessageType.ListRooms),
      String(MessageType.RoomList),
      'ListRooms',
    );
  }

  /**
   * Stops reading from the server until {@link resume}. For a consumer slower than its
   * rooms: TCP pushes back, and the server drops this connection as a slow consumer if
   * it stays behind, instead of this process buffering without bound.
   */
  pause(): void {
    this.#transport.pause();
  }

  resume(): void {
    this.#transport.resume();
  }

  /** Flushes what is queued and closes; resolves when the connection is closed. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing = true;
    return new Promise((resolve) => {
      this.#transport.on('close', () => resolve());
      this.#flush();
      this.#transport.end();
    });
  }

  /** Drops the connection at once. */
  destroy(error?: Error): void {
    this.#closing = error === undefined;
    this.#out = [];
    this.#transport.destroy();
    this.#shutdown(error);
  }

  async #roomCommand(type: number, room: string): Promise<boolean> {
    this.#requireUser();
    assertName('room', room);
    return this.#request<boolean>(encodeFrame(type, room), `${type + 1}:${room}`, `room ${room}`);
  }

  #request<T>(frame: Buffer, key: string, operation: string): Promise<T> {
    this.#requireOpen();
    const response = this.#pending.wait<T>(key, operation, this.requestTimeout);
    this.#write(frame);
    return response;
  }

  #requireOpen(): void {
    if (this.#closed) throw new ConnectionClosedError('the connection is closed');
  }

  #requireUser(): void {
    if (this.#username === undefined) throw new NotRegisteredError();
  }

  #write(frame: Buffer): void {
    if (this.#onFrame) {
      this.#onFrame('out', { type: frame[0]!, payload: frame.subarray(4) });
    }
    // A bot answers a burst of messages in one tick: one write for all of it, not one
    // syscall (and one wake-up of the server) per frame. Order is kept, frames only queue
    // until the tick's end, and close() flushes first.
    this.#out.push(frame);
    if (!this.#flushing) {
      this.#flushing = true;
      process.nextTick(this.#flushLater);
    }
  }

  readonly #flushLater = (): void => {
    this.#flushing = false;
    this.#flush();
  };

  #flush(): void {
    const out = this.#out;
    if (out.length === 0) return;
    this.#out = [];
    if (this.#transport.destroyed) return;
    this.#transport.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  #onData(chunk: Buffer): void {
    try {
      for (const frame of this.#decoder.push(chunk)) {
        this.#onFrame?.('in', frame);
        if (!this.#heard) {
          if (!KNOWN_TYPES.has(frame.type)) throw new NotMpcrpServerError(printable(chunk));
          this.#heard = true;
        }
        this.#dispatch(frame);
      }
    } catch (error) {
      if (error instanceof NotMpcrpServerError) {
        this.destroy(error);
      } else if (error instanceof FrameTooLargeError && !this.#heard) {
        // No frame yet, and the first "header" is out of bounds: another protocol answered.
        this.destroy(new NotMpcrpServerError(printable(chunk), { cause: error }));
      } else if (error instanceof FrameTooLargeError) {
        this.destroy(
          new ConnectionClosedError(`the server sent ${error.message}`, { cause: error }),
        );
      } else {
        throw error;
      }
    }
  }

  #dispatch(frame: Frame): void {
    let message: Message | undefined;
    try {
      message = decodeMessage(frame);
    } catch (error) {
      if (error instanceof MalformedPayloadError) return; // a broken frame is dropped
      throw error;
    }
    if (!message) return;
    switch (message.type) {
      case MessageType.SetUserNameResponse:
        this.#pending.settle(String(message.type), message.ok);
        return;
      case MessageType.GetUserListResponse:
        this.#pending.settle(`${message.type}:${message.room}`, message);
        return;
      case MessageType.Data:
        this.emit('message', { room: message.room, text: message.text });
        return;
      case MessageType.DataFrom:
        this.emit('message', { room: message.room, text: message.text, sender: message.sender });
        return;
      case MessageType.Welcome:
        this.#pending.settle(String(message.type), message.ext);
        return;
      case MessageType.Presence: {
        const { type: _type, ...event } = message;
        if (event.event === 'destroy') this.#rooms.delete(event.room);
        this.emit('presence', event);
        return;
      }
      case MessageType.RoomList:
        this.#pending.settle(String(message.type), message.rooms);
        return;
      default:
        if (ROOM_RESULT_TYPES.has(message.type) && 'ok' in message && 'room' in message) {
          this.#pending.settle(`${message.type}:${message.room}`, message.ok);
        }
    }
  }

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.rejectAll(error ?? new ConnectionClosedError('the connection was closed'));
    this.emit('close', error);
  }
}

/** Every frame type MPCRP defines (RFC 8890 and the extensions). */
const KNOWN_TYPES: ReadonlySet<number> = new Set<number>(Object.values(MessageType));

/** The start of what the peer sent, readable in an error message. */
function printable(chunk: Buffer): string {
  return chunk.toString('latin1', 0, Math.min(chunk.length, 24)).replace(/[^\x20-\x7e]/g, '.');
}
