import { FrameTooLargeError } from '../errors.js';
import type { Logger } from '../log.js';
import { FrameDecoder, type FrameView } from '../protocol/decoder.js';
import { MessageType } from '../protocol/types.js';
import type { Transport } from '../transport/transport.js';
import { FloodControl, type FloodPolicy } from './flood-control.js';
import type { ResolvedServerOptions } from './options.js';
import { OutputQueue, type SlowConsumer, type SlowConsumerHandler } from './output-queue.js';
import type { Awaitable } from './registry.js';
import type { ServerStats } from './stats.js';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly options: ResolvedServerOptions;
  readonly log: Logger;
  /** Counters for the metrics endpoint; undefined when nobody reads them. */
  readonly stats?: ServerStats | undefined;
  /** Flood control's limits, shared by every connection. */
  readonly flood: FloodPolicy;
  /**
   * Handles one frame; a returned Promise holds back this connection's later frames.
   * `frame` is the connection's decoder: read its fields before returning (a payload kept
   * for later must be taken as `frame.buffer` with its offsets, or a view of it).
   */
  handle(connection: Connection, frame: FrameView): Awaitable<void>;
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

/** Until a Hello grants some: shared by every connection, never changed (Hello replaces it). */
const NO_GRANTS: Readonly<Grants> = { sender: false, presence: false, rooms: false };

/** The Connection a transport feeds: set on the transport, so its listeners need no closure. */
const OWNER = Symbol('mpcrp.connection');
type Owned = Transport & { [OWNER]: Connection };

/**
 * One client connection: decodes its frames in order, queues its output for the batched
 * flush, and enforces the per-connection limits (frame size, flood control, slow consumer,
 * registration timeout and frames before it). Protocol rules live in handlers.ts; this
 * class only knows bytes and lifetime.
 */
export class Connection implements SlowConsumerHandler {
  /** Username once SetUserName succeeded. */
  name: string | undefined;
  grants: Readonly<Grants> = NO_GRANTS;
  /** Not served any more: sends are dropped, frames ignored. */
  closed = false;

  readonly #host: ConnectionHost;
  readonly #log: Logger;
  readonly #stats: ServerStats | undefined;
  /** The transport has closed. */
  #ended = false;
  /** {@link finished}, made when first asked for (most connections are never asked). */
  #finished: Promise<void> | undefined;
  #resolveFinished: (() => void) | undefined;
  readonly #decoder: FrameDecoder;
  readonly #flood: FloodControl;
  readonly #output: OutputQueue;
  #dirty = false;
  /** Set while a handler's Promise is outstanding; a release waits for it. */
  #pending: Promise<void> | undefined;
  /** Reading is suspended (async handler, or flood control); chunks wait in the decoder. */
  #waiting = false;
  /** The decoder's current frame waits for flood control's tokens; handle it first. */
  #held = false;
  /** Registration timeout. */
  #timer: NodeJS.Timeout | undefined;
  #throttleTimer: NodeJS.Timeout | undefined;
  #framesUnregistered = 0;
  /** Frames handled so far: tells whether a read completed any. */
  #handled = 0;
  #malformed = 0;
  /** Frame timeout: armed while part of a frame waits in the decoder. */
  #frameTimer: NodeJS.Timeout | undefined;
  /** When the decoder's partial frame began (performance.now()); undefined when there is none. */
  #partialSince: number | undefined;

  constructor(
    host: ConnectionHost,
    readonly transport: Transport,
    readonly id: number,
  ) {
    this.#host = host;
    this.#log = host.log;
    this.#stats = host.stats;
    const { options } = host;
    this.#decoder = new FrameDecoder({ maxPayload: options.maxPayload });
    this.#flood = new FloodControl(host.flood);
    this.#output = new OutputQueue(transport, options, this);
    // The same three functions for every connection: each finds its connection on the
    // transport, so an idle connection carries no closures for them.
    (transport as Owned)[OWNER] = this;
    transport.on('close', Connection.#onClose);
    transport.on('error', Connection.#onError);
    transport.on('data', Connection.#onData);
    const timeout = host.options.registrationTimeout;
    this.#timer = setTimeout(() => {
      if (this.#stats) this.#stats.limits.registrationTimeout++;
      this.#log.info('registration timeout: no SetUserName, closing', { conn: id, ms: timeout });
      this.close('registration timeout');
    }, timeout);
    this.#timer.unref?.();
  }

  // Listeners are called with the transport as `this`: function expressions, not methods.
  static readonly #onClose = function (this: Transport): void {
    const conn = (this as Owned)[OWNER];
    conn.#release('closed by peer');
    conn.#ended = true;
    conn.#resolveFinished?.();
  };

  static readonly #onError = function (this: Transport, error: Error): void {
    const conn = (this as Owned)[OWNER];
    conn.#log.debug('connection error', { conn: conn.id, error });
  };

  static readonly #onData = function (this: Transport, chunk: Buffer): void {
    (this as Owned)[OWNER].#read(chunk);
  };

  /** Resolves when the transport has closed. */
  get finished(): Promise<void> {
    if (this.#finished === undefined) {
      this.#finished = this.#ended
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolveFinished = resolve;
          });
    }
    return this.#finished;
  }

  /** A successful SetUserName stops the registration clock. */
  registered(name: string): void {
    this.name = name;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The handler dropped a malformed frame of this connection (and logged it): past
   * `maxMalformedFrames` of them the connection is closed.
   */
  malformed(): void {
    const { maxMalformedFrames } = this.#host.options;
    const stats = this.#stats;
    if (stats) stats.malformedFrames++;
    if (++this.#malformed <= maxMalformedFrames || this.closed) return;
    if (stats) stats.limits.maxMalformedFrames++;
    this.#log.warn('too many malformed frames, closing', {
      conn: this.id,
      user: this.name,
      maxMalformedFrames,
    });
    this.close('malformed frames');
  }

  /** Queues a frame for this turn's flush. The same Buffer may be queued to many connections. */
  send(frame: Buffer): void {
    if (!this.relay(frame)) return;
    const stats = this.#stats;
    if (stats !== undefined) {
      stats.framesOut[frame[0]!]! += 1;
      stats.bytesOut += frame.length;
    }
  }

  /**
   * {@link send} without the counters, for the fan-out, which counts a relay's frames once
   * for all its recipients. False when the frame was not queued.
   */
  relay(frame: Buffer): boolean {
    if (this.closed || !this.#output.push(frame)) return false;
    if (!this.#dirty) {
      this.#dirty = true;
      this.#host.markDirty(this);
    }
    return true;
  }

  /** Hands everything queued to the transport in one write. */
  flush(): void {
    this.#dirty = false;
    this.#output.flush();
  }

  /** Called by this connection's output queue: the peer reads too slowly to keep. */
  slowConsumer({ rule, unsent }: SlowConsumer): void {
    const { maxOutputBytes, writeTimeout } = this.#host.options;
    const about = { conn: this.id, user: this.name, unsent };
    if (this.#stats)
      this.#stats.limits[rule === 'output cap' ? 'maxOutputBytes' : 'writeTimeout']++;
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
    clearTimeout(this.#frameTimer);
    this.#output.clear();
    this.#log.info('connection closed', { conn: this.id, user: this.name, reason });
    // Deferred: a transport may report 'close' synchronously from inside a fan-out loop
    // (the slow-consumer abort), and the release changes the member lists being walked.
    const pending = this.#pending;
    queueMicrotask(() => this.#host.released(this, pending));
  }

  #read(chunk: Buffer): void {
    if (this.closed) return;
    if (this.#stats) this.#stats.bytesIn += chunk.length;
    // While waiting, the chunk just queues up in the decoder until #continue.
    this.#decoder.write(chunk);
    if (this.#waiting) return;
    this.#flood.refill();
    const handled = this.#handled;
    if (this.#drain()) this.#flood.chunkDone();
    this.#watchPartial(handled);
  }

  /**
   * After a read: when part of a frame is left in the decoder, runs the frame clock from
   * that frame's first byte (a read that completed frames left a new one behind).
   */
  #watchPartial(handledBefore: number): void {
    if (this.closed || this.#waiting) return;
    if (this.#decoder.bufferedBytes === 0) {
      this.#partialSince = undefined;
      return;
    }
    if (this.#partialSince === undefined || this.#handled !== handledBefore) {
      this.#partialSince = performance.now();
    }
    // One timer, re-armed only when it fires, not per read.
    if (this.#frameTimer === undefined) this.#armFrameClock(this.#host.options.frameTimeout);
  }

  #armFrameClock(ms: number): void {
    this.#frameTimer = setTimeout(() => this.#frameClock(), ms);
    this.#frameTimer.unref?.();
  }

  #frameClock(): void {
    this.#frameTimer = undefined;
    if (this.closed || this.#partialSince === undefined) return;
    const { frameTimeout } = this.#host.options;
    // Paused by the server (flood control, a registry call): the wait is not the peer's.
    const waited = performance.now() - this.#partialSince;
    if (this.#waiting || waited < frameTimeout) {
      this.#armFrameClock(this.#waiting ? frameTimeout : frameTimeout - waited);
      return;
    }
    if (this.#stats) this.#stats.limits.frameTimeout++;
    this.#log.warn('frame timeout: a frame stayed incomplete past frameTimeout, closing', {
      conn: this.id,
      user: this.name,
      buffered: this.#decoder.bufferedBytes,
      frameTimeout,
    });
    this.abort('frame timeout');
  }

  /**
   * Handles the held frame, if any, then every complete frame in the decoder, until done
   * (true) or until a frame has to wait (false). Allocates nothing per frame: handlers
   * read the decoder's current frame in place.
   */
  #drain(): boolean {
    const decoder = this.#decoder;
    try {
      if (this.#held) {
        this.#held = false;
        if (!this.#step(decoder)) return false;
      }
      while (!this.closed && decoder.next()) {
        if (!this.#step(decoder)) return false;
      }
    } catch (error) {
      if (error instanceof FrameTooLargeError) {
        if (this.#stats) this.#stats.limits.maxPayload++;
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

  /** Handles the decoder's current frame under the inbound limits; false when it must wait. */
  #step(frame: FrameView): boolean {
    if (!this.#flood.take()) return this.#throttle();
    this.#handled += 1;
    if (this.#stats) this.#stats.framesIn[frame.type]! += 1;
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
    this.#wait(pending);
    return false;
  }

  #tooManyFrames(): void {
    if (this.#stats) this.#stats.limits.maxFramesBeforeRegistration++;
    this.#log.info('too many frames before SetUserName, closing', {
      conn: this.id,
      maxFramesBeforeRegistration: this.#host.options.maxFramesBeforeRegistration,
    });
    this.close('too many frames before registration');
  }

  /**
   * Out of tokens: stops reading (TCP pushes back on the sender) until they return, then
   * goes on with the decoder's current frame. Disconnects when the flood has persisted. False while waiting.
   */
  #throttle(): boolean {
    const t = this.#flood.throttle();
    if ('persisted' in t) {
      if (this.#stats) this.#stats.limits.throttleTimeout++;
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
      if (this.#stats) this.#stats.limits.frameRate++;
      this.#log.info('flood control: throttling reads', {
        conn: this.id,
        user: this.name,
        frameRate: this.#host.options.frameRate,
        frameBurst: this.#host.options.frameBurst,
      });
    }
    this.#waiting = true;
    this.#held = true;
    this.transport.pause();
    this.#throttleTimer = setTimeout(() => {
      this.#throttleTimer = undefined;
      this.#continue();
    }, t.wait);
    return false;
  }

  #wait(pending: Promise<void>): void {
    this.#waiting = true;
    this.transport.pause();
    this.#pending = pending.then(
      () => {
        this.#pending = undefined;
        this.#continue();
      },
      (error: unknown) => {
        this.#pending = undefined;
        this.#log.error('registry operation failed, closing', { conn: this.id, error });
        this.abort('registry error');
      },
    );
  }

  /** After a wait: the held frame, then everything that arrived meanwhile; then reads again. */
  #continue(): void {
    this.#waiting = false;
    const handled = this.#handled;
    if (this.closed || !this.#drain() || this.closed) return;
    this.#watchPartial(handled);
    this.#flood.caughtUp();
    this.transport.resume();
  }
}
