import { FrameTooLargeError } from '../errors.js';
import type { Logger } from '../log.js';
import { FrameDecoder } from '../protocol/decoder.js';
import { type Frame, HEADER_SIZE } from '../protocol/types.js';
import type { Transport } from '../transport/transport.js';
import type { ResolvedServerOptions } from './options.js';
import type { Awaitable } from './registry.js';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly options: ResolvedServerOptions;
  readonly log: Logger;
  /** Handles one frame; a returned Promise holds back this connection's later frames. */
  handle(connection: Connection, frame: Frame): Awaitable<void>;
  /** Called once, when the connection stops being served; `pending` is its unfinished frame. */
  released(connection: Connection, pending: Promise<void> | undefined): void;
  /** The connection has output queued; flush it this turn. */
  markDirty(connection: Connection): void;
}

/** Extensions granted by the last Hello. */
export interface Grants {
  sender: boolean;
  presence: boolean;
  rooms: boolean;
}

/**
 * One client connection: decodes its frames in order, queues its output for the batched
 * flush, and enforces the per-connection limits (frame size, slow consumer, registration
 * timeout). Protocol rules live in handlers.ts; this class only knows bytes and lifetime.
 */
export class Connection {
  /** Username once SetUserName succeeded. */
  name: string | undefined;
  grants: Grants = { sender: false, presence: false, rooms: false };
  /** Not served any more: sends are dropped, frames ignored. */
  closed = false;
  /** Resolves when the transport has closed. */
  readonly finished: Promise<void>;

  readonly #host: ConnectionHost;
  readonly #log: Logger;
  readonly #decoder: FrameDecoder;
  #out: Buffer[] = [];
  #outBytes = 0;
  #dirty = false;
  /** The chunk the current frames come from, so a relay can reuse their bytes. */
  #chunk: Buffer | undefined;
  /** Set while a handler's Promise is outstanding; chunks wait in #backlog meanwhile. */
  #pending: Promise<void> | undefined;
  #backlog: Buffer[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    host: ConnectionHost,
    readonly transport: Transport,
    readonly id: number,
  ) {
    this.#host = host;
    this.#log = host.log;
    this.#decoder = new FrameDecoder({ maxPayload: host.options.maxPayload });
    this.finished = new Promise((resolve) => {
      transport.on('close', () => {
        clearTimeout(this.#timer);
        this.#release('closed by peer');
        resolve();
      });
    });
    transport.on('error', (error) => this.#log.debug('connection error', { conn: id, error }));
    transport.on('data', (chunk) => this.#onData(chunk));
    const timeout = host.options.registrationTimeout;
    this.#timer = setTimeout(() => {
      this.#log.info('registration timeout: no SetUserName, closing', { conn: id, ms: timeout });
      this.close('registration timeout');
    }, timeout);
    this.#timer.unref?.();
  }

  /** A successful SetUserName stops the registration clock. */
  registered(name: string): void {
    this.name = name;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Queues a frame for this turn's flush. The same Buffer may be queued to many connections. */
  send(frame: Buffer): void {
    if (this.closed) return;
    this.#out.push(frame);
    this.#outBytes += frame.length;
    const unsent = this.#outBytes + this.transport.writableLength;
    if (unsent > this.#host.options.maxOutputBytes) {
      this.#log.warn('slow consumer: output cap reached, disconnecting', {
        conn: this.id,
        user: this.name,
        unsent,
        maxOutputBytes: this.#host.options.maxOutputBytes,
      });
      this.abort('slow consumer');
      return;
    }
    if (!this.#dirty) {
      this.#dirty = true;
      this.#host.markDirty(this);
    }
  }

  /** Hands everything queued to the transport in one write. */
  flush(): void {
    this.#dirty = false;
    if (this.#out.length === 0 || this.transport.destroyed) return;
    const out = this.#out.length === 1 ? this.#out[0]! : Buffer.concat(this.#out, this.#outBytes);
    this.#out = [];
    this.#outBytes = 0;
    this.transport.write(out);
  }

  /**
   * The received frame (header and payload) around `payload` when it still lies in one
   * piece in the chunk being processed, so a relay can forward it without copying.
   */
  receivedFrame(payload: Buffer): Buffer | undefined {
    const chunk = this.#chunk;
    if (chunk === undefined || payload.buffer !== chunk.buffer) return undefined;
    const start = payload.byteOffset - HEADER_SIZE;
    const end = payload.byteOffset + payload.length;
    if (start < chunk.byteOffset || end > chunk.byteOffset + chunk.length) return undefined;
    return Buffer.from(chunk.buffer, start, end - start);
  }

  /** Flushes what is queued, then closes; cut off after `closeTimeout` if the peer lingers. */
  close(reason: string): void {
    if (this.closed) return;
    this.flush();
    this.#release(reason);
    this.transport.end();
    const cut = setTimeout(() => this.transport.destroy(), this.#host.options.closeTimeout);
    cut.unref?.();
    void this.finished.then(() => clearTimeout(cut));
  }

  /** Closes at once, dropping queued output. */
  abort(reason: string): void {
    if (this.closed) return;
    this.#out = [];
    this.#outBytes = 0;
    this.#release(reason);
    this.transport.destroy();
  }

  #release(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.#timer);
    this.#backlog = [];
    this.#log.info('connection closed', { conn: this.id, user: this.name, reason });
    // Deferred: a transport may report 'close' synchronously from inside a fan-out loop
    // (the slow-consumer abort), and the release changes the member lists being walked.
    const pending = this.#pending;
    queueMicrotask(() => this.#host.released(this, pending));
  }

  #onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.#pending !== undefined) {
      this.#backlog.push(chunk);
      return;
    }
    this.#chunk = chunk;
    if (this.#drain(this.#decoder.push(chunk))) this.#chunk = undefined;
  }

  /** Runs frames until done (true) or until a handler goes async (false). */
  #drain(frames: Generator<Frame, void, undefined>): boolean {
    try {
      for (let step = frames.next(); !step.done; step = frames.next()) {
        if (this.closed) return true;
        const pending = this.#host.handle(this, step.value);
        if (pending !== undefined) {
          this.#wait(pending, frames);
          return false;
        }
      }
    } catch (error) {
      if (error instanceof FrameTooLargeError) {
        this.#log.warn('frame over maxPayload, closing', {
          conn: this.id,
          user: this.name,
          announced: error.length,
          maxPayload: error.limit,
        });
        this.abort('frame too large');
      } else {
        this.#log.error('internal error handling a frame, closing', { conn: this.id, error });
        this.abort('internal error');
      }
    }
    return true;
  }

  #wait(pending: Promise<void>, frames: Generator<Frame, void, undefined>): void {
    this.transport.pause();
    this.#pending = pending.then(
      () => {
        this.#pending = undefined;
        if (this.closed || !this.#drain(frames)) return;
        while (this.#backlog.length > 0 && !this.closed) {
          this.#chunk = this.#backlog.shift()!;
          if (!this.#drain(this.#decoder.push(this.#chunk))) return;
        }
        this.#chunk = undefined;
        if (!this.closed) this.transport.resume();
      },
      (error: unknown) => {
        this.#pending = undefined;
        this.#log.error('registry operation failed, closing', { conn: this.id, error });
        this.abort('registry error');
      },
    );
  }
}
