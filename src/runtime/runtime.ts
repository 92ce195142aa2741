import { EventEmitter } from 'node:events';
import type { BotEvent, BotHost } from '../bot/host.js';
import type { MpcrpClient, RoomMessage } from '../client/index.js';
import { ConnectionClosedError, NotInRoomError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { dataFromOverhead } from '../protocol/codec.js';
import { assertName } from '../protocol/names.js';
import { DEFAULT_MAX_PAYLOAD, Extension } from '../protocol/types.js';
import { parseServerUrl } from '../protocol/url.js';
import { Connector } from './connector.js';
import type { RuntimeCoreOptions, RuntimeEvents } from './core-options.js';
import { Dispatcher } from './dispatcher.js';
import type { EnginePort } from './engine-port.js';
import { Members } from './members.js';
import { Outbox, type OutboxPushOptions } from './outbox.js';
import { Poller } from './poller.js';
import { RoomManager } from './room-manager.js';

export type { RuntimeCoreOptions, RuntimeEvents } from './core-options.js';

/**
 * Keeps a bot connected: one session after another, each entering the rooms, tracking who is
 * in them and feeding everything that happens into the engine. Knows nothing about plugins;
 * see createRuntime for the assembled bot.
 */
export class RuntimeCore extends EventEmitter<RuntimeEvents> {
  readonly username: string;
  readonly url: string;
  readonly outbox: Outbox;
  readonly host: BotHost;
  readonly logger: Logger;
  #o: RuntimeCoreOptions;
  #log: Logger;
  #connector: Connector;
  #members: Members;
  #poller: Poller;
  #rooms: RoomManager;
  #events: Dispatcher;
  #client: MpcrpClient | undefined;
  #pushPresence = false;
  #started = false;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #first: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #engineStarted = false;
  /** Whether the last session granted `sender`; assumed until the first session says. */
  #senderKnown = true;

  constructor(options: RuntimeCoreOptions) {
    super();
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.logger = this.#log;
    this.url = parseServerUrl(String(options.server)).url;
    this.username = assertName('username', options.username);
    this.#events = new Dispatcher(this.#log);
    this.#connector = new Connector({
      url: this.url,
      username: this.username,
      extensions: options.extensions ?? true,
      logger: this.#log,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      ...(options.connectTimeout !== undefined ? { connectTimeout: options.connectTimeout } : {}),
      ...(options.nameTakenHint !== undefined ? { nameTakenHint: options.nameTakenHint } : {}),
      client: {
        ...(options.maxPayload !== undefined ? { maxPayload: options.maxPayload } : {}),
        ...(options.requestTimeout !== undefined ? { requestTimeout: options.requestTimeout } : {}),
      },
    });
    const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.outbox = new Outbox(
      {
        ready: (room) => this.#client !== undefined && this.#rooms.joined.has(room),
        send: (room, text) => {
          if (!this.#client) throw new ConnectionClosedError('not connected');
          this.#client.send(room, text);
        },
        // Pieces leave room for DataFrom's sender name: a full Data frame would reach the
        // members granted `sender` as Data, without it.
        maxTextBytes: (room) =>
          maxPayload - 1 - Buffer.byteLength(room) - dataFromOverhead(this.username),
        // The answer to a ping proves the server relayed every frame sent before it.
        confirm: () => this.#requireClient().ping(),
      },
      options.outbox,
      { logger: this.#log },
    );
    this.#members = new Members(
      () => this.username,
      (event) => {
        if (event.kind === 'destroyed') this.#rooms.gone(event.room);
        this.#events.dispatch(event);
      },
    );
    this.#rooms = new RoomManager(options.rooms ?? [], {
      client: () => this.#client,
      members: this.#members,
      outbox: this.outbox,
      logger: this.#log,
    });
    this.#poller = new Poller({
      interval: options.presenceInterval ?? 2000,
      rooms: () => this.#rooms.joined,
      read: (room) => this.#requireClient().getUserList(room),
      onList: (room, users) => this.#members.sync(room, users),
      onGone: (room) => this.#members.destroyed(room),
      logger: this.#log,
    });
    this.host = {
      username: this.username,
      logger: this.#log,
      send: (room, text) => {
        // Visible to the plugin (its hook fails with the error) rather than a log line only.
        if (!this.#rooms.wants(room)) throw new NotInRoomError(room);
        this.outbox.push(room, text);
      },
      users: (room) => this.users(room),
      rooms: () => [...this.#rooms.joined],
      join: (room) => this.#rooms.enter(room),
      leave: (room) => this.#rooms.leave(room),
      senderKnown: () => this.#senderKnown,
    };
  }

  /** Hands an event to the engine as if it came from the server (announcement commands). */
  inject(event: BotEvent): void {
    this.#events.dispatch(event);
  }

  /** Connects the engine; called once, before start(). */
  attach(engine: EnginePort): void {
    this.#events.attach(engine);
  }

  /** Adds a room to enter in every session from now on (call before start(), or use enter()). */
  want(room: string): void {
    this.#rooms.want(room);
  }

  /** Adds a room and, when connected, enters it now. Failures are logged, not thrown. */
  enter(room: string): Promise<void> {
    return this.#rooms.enter(room);
  }

  /** Quits a room and stops entering it; false when it was not one of the bot's rooms. */
  leave(room: string): Promise<boolean> {
    return this.#rooms.leave(room);
  }

  /** Events handed to the engine so far (the testing kit watches it to know when all is quiet). */
  get dispatched(): number {
    return this.#events.dispatched;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Rooms the bot means to be in, entered or not. */
  get wantedRooms(): readonly string[] {
    return [...this.#rooms.wanted];
  }

  /** The live connection, if any (tests, diagnostics). */
  get client(): MpcrpClient | undefined {
    return this.#client;
  }

  /** Rooms the bot is in now. */
  get rooms(): readonly string[] {
    return [...this.#rooms.joined];
  }

  /** Grants of the current session (empty on a strict server). */
  get extensions(): ReadonlySet<string> {
    return this.#client?.extensions ?? new Set();
  }

  /**
   * Queues text for a room through the outbox. Returns false when it was not queued
   * (not one of the bot's rooms, or the outbox is full); that is logged.
   */
  send(room: string, text: string, options: OutboxPushOptions = {}): boolean {
    if (!this.#rooms.wants(room)) {
      this.#log.warn('message dropped: the bot is not in this room', { room });
      return false;
    }
    return this.outbox.push(room, text, options);
  }

  /** Members of `room`: asked from the server when connected, else the last known list. */
  async users(room: string): Promise<string[]> {
    if (this.#client && this.#rooms.joined.has(room)) return this.#client.getUserList(room);
    return [...(this.#members.get(room) ?? [])];
  }

  /**
   * Connects (retrying for as long as it takes), enters the rooms and starts the engine.
   * Resolves once the first session is up; rejects only for errors no retry can fix (an
   * invalid username, a bad URL). Resolves too when stop() is called before that.
   */
  start(): Promise<void> {
    if (this.#started) throw new Error('start() was already called');
    this.#started = true;
    const first = new Promise<void>((resolve, reject) => {
      this.#first = { resolve, reject };
    });
    this.#loop = this.#run().catch((error: unknown) => {
      this.#log.error('cannot run the bot', { error });
      this.#first?.reject(error);
    });
    return first;
  }

  /**
   * Stops the engine (stop hooks), waits up to `flushTimeout` for the outbox, quits the rooms
   * and closes the connection.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#events.stopping();
    this.#connector.stop();
    this.#poller.stop();
    if (this.#engineStarted) {
      this.#engineStarted = false;
      await this.#events.guard('stop', () => this.#events.engine?.stop());
    }
    await this.#events.settle();
    const client = this.#client;
    if (client && this.outbox.size > 0) {
      const flushed = await this.outbox.drain(this.#o.flushTimeout ?? 5000);
      if (!flushed)
        this.#log.warn('stopping before the outbox emptied', { held: this.outbox.size });
    }
    this.outbox.close();
    if (client && !client.closed) {
      await Promise.allSettled([...this.#rooms.joined].map((room) => client.quitRoom(room)));
      await client.close();
    }
    this.#client = undefined;
    this.#rooms.clear();
    this.#first?.resolve();
    await this.#loop;
  }

  /** Resolves when every event handed to the engine is handled and the outbox is empty. */
  async idle(): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      await this.#events.settle();
      await this.#events.engine?.idle();
      await this.outbox.idle();
      if (this.#events.pending === 0) return;
    }
  }

  async #run(): Promise<void> {
    let reconnecting = false;
    while (!this.#stopping) {
      const client = await this.#connector.open();
      if (!client) return;
      try {
        await this.#setup(client, reconnecting);
      } catch (error) {
        client.destroy();
        this.#down(error instanceof Error ? error : undefined, 'setting up the session failed');
        if (this.#stopping) return;
        await this.#pause();
        continue;
      }
      this.#connector.backoff.reset();
      if (!reconnecting) this.#first?.resolve();
      reconnecting = true;
      const error = await new Promise<Error | undefined>((resolve) => {
        if (client.closed) resolve(new ConnectionClosedError());
        else client.once('close', resolve);
      });
      if (this.#stopping) return;
      this.#down(error, 'connection lost');
      await this.#pause();
    }
  }

  async #setup(client: MpcrpClient, reconnecting: boolean): Promise<void> {
    client.on('message', (m) => this.#onMessage(client, m));
    client.on('presence', (e) => {
      if (this.#client === client && this.#pushPresence) this.#members.apply(e);
    });
    this.#pushPresence = client.extensions.has(Extension.Presence);
    this.#senderKnown = client.extensions.has(Extension.Sender);
    this.#log.info(reconnecting ? 'reconnected' : 'connected', {
      url: this.url,
      user: this.username,
      extensions: [...client.extensions].join(',') || 'none',
    });
    this.#client = client;
    const lists = await this.#rooms.enterAll(client);
    if (this.#stopping) throw new ConnectionClosedError('stopping');
    for (const [room, users] of lists) this.#members.sync(room, users);
    if (!this.#pushPresence) this.#poller.start();
    this.outbox.wake();
    if (reconnecting) {
      this.#events.dispatch({ kind: 'reconnect' });
    } else {
      this.#engineStarted = true;
      // Not awaited: each plugin's onStart is queued first in that plugin's own queue, so a
      // slow or hung onStart holds up only its own plugin's events.
      this.#events.track(this.#events.guard('start', () => this.#events.engine?.start()));
      this.#events.release();
    }
    this.emit('ready', { reconnected: reconnecting });
  }

  #down(error: Error | undefined, what: string): void {
    const was = this.#client !== undefined;
    this.#client = undefined;
    this.#rooms.clear();
    this.#poller.stop();
    this.outbox.connectionLost();
    if (this.#stopping) return;
    this.#log.warn(`${what}; reconnecting`, {
      url: this.url,
      held: this.outbox.size,
      error: error?.message,
    });
    if (was) this.emit('disconnected', error);
  }

  #pause(): Promise<void> {
    const delay = this.#connector.backoff.next();
    this.#log.info('reconnecting soon', { retryIn: `${delay}ms` });
    return this.#connector.sleep(delay);
  }

  #onMessage(client: MpcrpClient, m: RoomMessage): void {
    if (client !== this.#client || !this.#rooms.joined.has(m.room)) return;
    this.#events.dispatch({ kind: 'message', room: m.room, text: m.text, sender: m.sender });
  }

  #requireClient(): MpcrpClient {
    if (!this.#client) throw new ConnectionClosedError('not connected');
    return this.#client;
  }
}
