import { FrameTooLargeError } from '../errors.js';
import type { Logger } from '../log.js';
import { FrameDecoder } from '../protocol/decoder.js';
import { type Frame, HEADER_SIZE, MessageType } from '../protocol/types.js';
import type { Transport } from '../transport/transport.js';
import { FloodControl } from './flood-control.js';
import type { ResolvedServerOptions } from './options.js';
import { OutputQueue, type SlowConsumer } from './output-queue.js';
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
 * flush, and enforces the per-connection limits (frame size, flood control, slow consumer,
 * registration timeout and frames before it). Protocol rules live in handlers.ts; this
 * class only knows bytes and lifetime.
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
  readonly #flood: FloodControl;
  readonly #output: OutputQueue;
  #dirty = false;
  /** The chunk the current frames come from, so a relay can reuse their bytes. */
  #chunk: Buffer | undefined;
  /** Set while a handler's Promise is outstanding; a release waits for it. */
  #pending: Promise<void> | undefined;
  /** Reading is suspended (async handler, or flood control); chunks wait in #backlog. */
  #waiting = false;
  #backlog: Buffer[] = [];
  /** Registration timeout. */
  #timer: NodeJS.Timeout | undefined;
  #throttleTimer: NodeJS.Timeout | undefined;
  #framesUnregistered = 0;

  constructor(
    host: ConnectionHost,
    readonly transport: Transport,
    readonly id: number,
  ) {
    this.#host = host;
    this.#log = host.log;
    const { options } = host;
    this.#decoder = new FrameDecoder({ maxPayload: options.maxPayload });
    this.#flood = new FloodControl(options.frameRate, options.frameBurst, options.throttleTimeout);
    this.#output = new OutputQueue(transport, options, (slow) => this.#slowConsumer(slow));
    this.finished = new Promise((resolve) => {
      transport.on('close', () => {
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
    if (this.closed || !this.#output.push(frame)) return;
    if (!this.#dirty) {
      this.#dirty = true;
      this.#host.markDirty(this);
    }
  }

  /** Hands everything queued to the transport in one write. */
  flush(): void {
    this.#dirty = false;
    this.#output.flush();
  }

  #slowConsumer({ rule, unsent }: SlowConsumer): void {
    const { maxOutputBytes, writeTimeout } = this.#host.options;
    const about = { conn: this.id, user: this.name, unsent };
    if (rule === 'output cap') {
      this.#log.warn('slow consumer: output cap reached, disconnecting', {
        ...about,
        maxOutputBytes,
      });
      this.abort('slow consumer');
    } else {
      this.#log.warn('slow consumer: write blocked, disconnecting', { ...about, writeTimeout });
      this.abort('write timeout');
    }
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
    this.#output.clear();
    this.#release(reason);
    this.transport.destroy();
  }

  #release(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#throttleTimer);
    this.#output.clear();
    this.#backlog = [];
    this.#log.info('connection closed', { conn: this.id, user: this.name, reason });
    // Deferred: a transport may report 'close' synchronously from inside a fan-out loop
    // (the slow-consumer abort), and the release changes the member lists being walked.
    const pending = this.#pending;
    queueMicrotask(() => this.#host.released(this, pending));
  }

  #onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.#waiting) {
      this.#backlog.push(chunk);
      return;
    }
    this.#flood.refill();
    this.#chunk = chunk;
    if (this.#drain(this.#decoder.push(chunk))) {
      this.#chunk = undefined;
      this.#flood.chunkDone();
    }
  }

  /**
   * Runs `held` (a frame taken before a wait), then the rest of `frames`, until done
   * (true) or until a frame has to wait (false).
   */
  #drain(frames: Generator<Frame, void, undefined>, held?: Frame): boolean {
    try {
      if (held !== undefined && !this.#step(held, frames)) return false;
      for (let step = frames.next(); !step.done; step = frames.next()) {
        if (this.closed) return true;
        if (!this.#step(step.value, frames)) return false;
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

  /** Handles one frame under the inbound limits; false when `frames` must wait. */
  #step(frame: Frame, frames: Generator<Frame, void, undefined>): boolean {
    if (!this.#flood.take()) return this.#throttle(frame, frames);
    let lastChance = false;
    if (
      this.name === undefined &&
      ++this.#framesUnregistered > this.#host.options.maxFramesBeforeRegistration
    ) {
      // Past the cap only a SetUserName that succeeds is still let in.
      if (frame.type !== MessageType.SetUserName) {
        this.#tooManyFrames();
        return true;
      }
      lastChance = true;
    }
    let pending = this.#host.handle(this, frame);
    if (lastChance) {
      const check = (): void => {
        if (this.name === undefined) this.#tooManyFrames();
      };
      if (pending === undefined) check();
      else pending = pending.then(check);
    }
    if (pending === undefined) return true;
    this.#wait(pending, frames);
    return false;
  }

  #tooManyFrames(): void {
    this.#log.info('too many frames before SetUserName, closing', {
      conn: this.id,
      maxFramesBeforeRegistration: this.#host.options.maxFramesBeforeRegistration,
    });
    this.close('too many frames before registration');
  }

  /**
   * Out of tokens: stops reading (TCP pushes back on the sender) until they return, then
   * goes on with `frame`. Disconnects when the flood has persisted. False while waiting.
   */
  #throttle(frame: Frame, frames: Generator<Frame, void, undefined>): boolean {
    const t = this.#flood.throttle();
    if ('persisted' in t) {
      this.#log.warn('flood control: throttled too long, disconnecting', {
        conn: this.id,
        user: this.name,
        ms: t.throttledFor,
        frameRate: this.#host.options.frameRate,
      });
      this.abort('flood');
      return true;
    }
    if (t.first) {
      this.#log.info('flood control: throttling reads', {
        conn: this.id,
        user: this.name,
        frameRate: this.#host.options.frameRate,
        frameBurst: this.#host.options.frameBurst,
      });
    }
    this.#waiting = true;
    this.transport.pause();
    this.#throttleTimer = setTimeout(() => {
      this.#throttleTimer = undefined;
      this.#continue(frames, frame);
    }, t.wait);
    return false;
  }

  #wait(pending: Promise<void>, frames: Generator<Frame, void, undefined>): void {
    this.#waiting = true;
    this.transport.pause();
    this.#pending = pending.then(
      () => {
        this.#pending = undefined;
        this.#continue(frames);
      },
      (error: unknown) => {
        this.#pending = undefined;
        this.#log.error('registry operation failed, closing', { conn: this.id, error });
        this.abort('registry error');
      },
    );
  }

  /** After a wait: the held frame, the rest of the chunk, then the backlog; then reads again. */
  #continue(frames: Generator<Frame, void, undefined>, held?: Frame): void {
    this.#waiting = false;
    if (this.closed || !this.#drain(frames, held)) return;
    while (this.#backlog.length > 0 && !this.closed) {
      this.#chunk = this.#backlog.shift()!;
      if (!this.#drain(this.#decoder.push(this.#chunk))) return;
    }
    this.#chunk = undefined;
    if (this.closed) return;
    this.#flood.caughtUp();
    this.transport.resume();
  }
}
