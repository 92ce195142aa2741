import { ConnectionClosedError, FrameTooLargeError, TimeoutError } from '../errors.js';
import { FrameDecoder } from '../protocol/decoder.js';
import { type Frame, MessageType } from '../protocol/types.js';
import { parseServerUrl } from '../protocol/url.js';
import { type DialOptions, dial } from '../transport/tcp.js';
import type { Transport } from '../transport/transport.js';

/** Sees every frame in and out (`-vv`). */
export type FrameHook = (direction: 'in' | 'out', frame: Frame) => void;

/** The responses an {@link OrderedSession} hands out; any other frame is room traffic. */
const ANSWER_TYPES = new Set<number>([
  MessageType.SetUserNameResponse,
  MessageType.CreateRoomResponse,
  MessageType.JoinRoomResponse,
  MessageType.GetUserListResponse,
]);

interface Waiter {
  type: number;
  room: string | undefined;
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A client connection that writes requests in batches and reads their answers back in the
 * order the server sends them (an RFC 8890 server answers in the order it receives), so a
 * batch of requests costs one round trip. It is what `send` runs on: its start-up is the
 * product, and the general MpcrpClient, which must await each SetUserName before it may
 * send anything else, would cost a module graph and a round trip per step.
 *
 * The caller asks for every answer its batch will get, in order, and so never mistakes an
 * answer to an earlier request for a later one. Frames that are not answers (room traffic)
 * are dropped, as are answers nobody asked for.
 */
export class OrderedSession {
  readonly #transport: Transport;
  readonly #decoder = new FrameDecoder();
  readonly #onFrame: FrameHook | undefined;
  /** Answers received and not yet asked for. */
  #inbox: Frame[] = [];
  #waiter: Waiter | undefined;
  #closed: ConnectionClosedError | undefined;

  /** Connects to `url` (mpcrp:// or mpcrps://); rejects with ConnectError. */
  static async open(
    url: string,
    options: DialOptions & { onFrame?: FrameHook | undefined },
  ): Promise<OrderedSession> {
    return new OrderedSession(await dial(parseServerUrl(url), options), options.onFrame);
  }

  private constructor(transport: Transport, onFrame: FrameHook | undefined) {
    this.#transport = transport;
    this.#onFrame = onFrame;
    transport.on('data', (chunk) => this.#onData(chunk));
    transport.on('error', () => {
      // 'close' follows; handled there.
    });
    transport.on('close', (hadError) => {
      this.#fail(
        new ConnectionClosedError(
          hadError ? 'the connection failed' : 'the server closed the connection',
        ),
      );
    });
  }

  /** Writes `frames` (each a whole frame) in one write. */
  write(frames: readonly Buffer[]): void {
    if (this.#onFrame) {
      for (const f of frames) this.#onFrame('out', { type: f[0]!, payload: f.subarray(4) });
    }
    this.#transport.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  /**
   * The next answer of `type`, echoing `room` when given (`room:...`); answers before it
   * that do not match are dropped. Rejects with TimeoutError after `ms` (0: never) naming
   * `operation`, or with ConnectionClosedError once the connection is gone.
   */
  answer(type: number, room: string | undefined, operation: string, ms: number): Promise<Frame> {
    while (this.#inbox.length > 0) {
      const frame = this.#inbox.shift()!;
      if (matches(frame, type, room)) return Promise.resolve(frame);
    }
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { type, room, resolve, reject, timer: undefined };
      if (ms > 0) {
        waiter.timer = setTimeout(() => {
          this.#waiter = undefined;
          reject(new TimeoutError(operation, ms));
        }, ms);
      }
      this.#waiter = waiter;
    });
  }

  /**
   * Ends the connection without waiting for the server to close its side: once the last
   * answer is in, the server has read everything, and the process may exit at once.
   */
  close(): void {
    if (this.#transport.destroyed) return;
    this.#transport.end();
    // A net.Socket: let the process exit with the socket half-closed.
    (this.#transport as { unref?: () => void }).unref?.();
  }

  destroy(): void {
    this.#transport.destroy();
  }

  #onData(chunk: Buffer): void {
    const decoder = this.#decoder;
    try {
      decoder.write(chunk);
      while (decoder.next()) {
        const { type } = decoder;
        if (!ANSWER_TYPES.has(type) && this.#onFrame === undefined) continue;
        const frame = { type, payload: decoder.buffer.subarray(decoder.start, decoder.end) };
        this.#onFrame?.('in', frame);
        if (ANSWER_TYPES.has(type)) this.#deliver(frame);
      }
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      this.#fail(new ConnectionClosedError(`the server sent ${error.message}`, { cause: error }));
      this.#transport.destroy();
    }
  }

  #deliver(frame: Frame): void {
    const waiter = this.#waiter;
    if (waiter === undefined) {
      this.#inbox.push(frame);
      return;
    }
    if (!matches(frame, waiter.type, waiter.room)) return;
    this.#waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve(frame);
  }

  #fail(error: ConnectionClosedError): void {
    this.#closed ??= error;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.reject(this.#closed);
  }
}

function matches(frame: Frame, type: number, room: string | undefined): boolean {
  if (frame.type !== type) return false;
  if (room === undefined) return true;
  const prefix = `${room}:`;
  return frame.payload.toString('utf8', 0, Buffer.byteLength(prefix)) === prefix;
}
