/**
 * A minimal MPCRP peer over a raw TCP socket, for driving a server frame by frame in
 * tests. It decodes with the project codec but adds no client logic of its own, so what
 * a test asserts is exactly what the server put on the wire.
 */
import net from 'node:net';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { type Frame, MAX_WIRE_PAYLOAD, MessageType } from '../../src/protocol/types.js';
import type { Transport } from '../../src/transport/transport.js';

const DEFAULT_TIMEOUT = 3_000;
let probes = 0;

interface Waiter {
  resolve(frame: Frame): void;
  reject(error: Error): void;
}

/** Text of a frame's payload. */
export function text(frame: Frame): string {
  return frame.payload.toString('utf8');
}

function describe(frame: Frame): string {
  const shown = frame.payload.length > 80 ? `${text(frame).slice(0, 80)}...` : text(frame);
  return `type ${frame.type} ${JSON.stringify(shown)} (${frame.payload.length} bytes)`;
}

export class RawClient {
  readonly #frames: Frame[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #decoder = new FrameDecoder({ maxPayload: MAX_WIRE_PAYLOAD });
  #closed = false;
  /** Resolves when the socket has closed (either side). */
  readonly closed: Promise<void>;

  /** Wraps a connected socket or any other Transport (e.g. from server.connectMemory()). */
  constructor(readonly socket: Transport) {
    socket.on('data', (chunk) => {
      for (const frame of this.#decoder.push(chunk)) {
        const copy = { type: frame.type, payload: Buffer.from(frame.payload) };
        const waiter = this.#waiters.shift();
        if (waiter) waiter.resolve(copy);
        else this.#frames.push(copy);
      }
    });
    socket.on('error', () => {}); // a reset shows up as 'close'
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#closed = true;
        for (const waiter of this.#waiters.splice(0)) {
          waiter.reject(new Error('connection closed while waiting for a frame'));
        }
        resolve();
      });
    });
  }

  static connect(
    port: number,
    host = '127.0.0.1',
    options: { allowHalfOpen?: boolean } = {},
  ): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen: options.allowHalfOpen ?? false });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new RawClient(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Frames received and not yet taken. */
  get queued(): number {
    return this.#frames.length;
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Writes `bytes` and resolves once the socket has handed them to the OS. */
  sendFlushed(bytes: Uint8Array): Promise<void> {
    if (!(this.socket instanceof net.Socket)) {
      this.socket.write(bytes);
      return Promise.resolve();
    }
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      socket.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  send(type: number, payload: string | Uint8Array = ''): void {
    this.sendBytes(encodeFrame(type, payload));
  }

  data(room: string, message: string | Uint8Array): void {
    this.sendBytes(encodeData(room, message));
  }

  /** The next frame, whatever its type. */
  next(timeout = DEFAULT_TIMEOUT): Promise<Frame> {
    const ready = this.#frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#closed) return Promise.reject(new Error('connection is closed'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeout} ms`));
      }, timeout);
      this.#waiters.push(waiter);
    });
  }

  /** The next frame, which must be of `type`. */
  async expect(type: number, timeout = DEFAULT_TIMEOUT): Promise<Frame> {
    const frame = await this.next(timeout);
    if (frame.type !== type) throw new Error(`expected type ${type}, got ${describe(frame)}`);
    return frame;
  }

  /** The next frame's payload text, which must be of `type`. */
  async expectText(type: number, timeout = DEFAULT_TIMEOUT): Promise<string> {
    return text(await this.expect(type, timeout));
  }

  /** Skips frames of other types until one of `type` arrives. */
  async nextOfType(type: number, timeout = DEFAULT_TIMEOUT): Promise<Frame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (frame.type === type) return frame;
    }
  }

  /**
   * Proves nothing is pending for this client without sleeping: sends a GetUserList for a
   * fresh room ID and requires its response to be the very next frame.
   */
  async expectNothing(timeout = DEFAULT_TIMEOUT): Promise<void> {
    probes += 1;
    const probe = `probe${probes}`;
    this.send(MessageType.GetUserList, probe);
    const frame = await this.next(timeout);
    if (frame.type !== MessageType.GetUserListResponse || !text(frame).startsWith(`${probe}:`)) {
      throw new Error(`expected nothing before the probe response, got ${describe(frame)}`);
    }
  }

  /** SetUserName; resolves to the one-byte result, '0' or '1'. */
  async setName(name: string): Promise<string> {
    this.send(MessageType.SetUserName, name);
    return this.expectText(MessageType.SetUserNameResponse);
  }

  /** SetUserName that must succeed. */
  async register(name: string): Promise<this> {
    const result = await this.setName(name);
    if (result !== '0') throw new Error(`SetUserName ${name} failed (${result})`);
    return this;
  }

  /** A room command; resolves to its response payload, e.g. 'r1:0'. */
  async command(type: number, room: string): Promise<string> {
    this.send(type, room);
    return this.expectText(type + 1);
  }

  /** GetUserList; resolves to the parsed JSON after `<room>:`. */
  async userList(room: string): Promise<unknown> {
    const payload = await this.command(MessageType.GetUserList, room);
    if (!payload.startsWith(`${room}:`)) throw new Error(`response for another room: ${payload}`);
    return JSON.parse(payload.slice(room.length + 1));
  }

  /** Hello with `want`; resolves to the granted list from Welcome. */
  async hello(want: string[]): Promise<string[]> {
    this.send(MessageType.Hello, JSON.stringify({ v: 1, want }));
    const welcome = JSON.parse(await this.expectText(MessageType.Welcome));
    return welcome.ext;
  }

  /** Closes our side and waits for the socket to be gone. */
  async close(): Promise<void> {
    if (!this.#closed) this.socket.end();
    await this.closed;
  }
}
