import { type Logger, silentLogger } from '../log.js';
import type { FrameView } from '../protocol/decoder.js';
import { memoryTransportPair } from '../transport/memory.js';
import type { Transport } from '../transport/transport.js';
import { Connection, type ConnectionHost } from './connection.js';
import { FlushScheduler, RecipientCache, relayData, sendPresence } from './fanout.js';
import { FloodPolicy } from './flood-control.js';
import { type Hub, handleFrame, releaseConnection } from './handlers.js';
import { PerIpCounter } from './ip-caps.js';
import { LogLimiter } from './log-limiter.js';
import { InMemoryRegistry } from './memory-registry.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './options.js';
import type { Awaitable, Registry } from './registry.js';
import { RoomListCache } from './room-list.js';
import { listenerKind, type ServerStats } from './stats.js';

/**
 * An MPCRP server without a network: hand it connected transports with {@link accept}.
 * It implements RFC 8890 as settled by decisions.md, plus the negotiated extensions.
 * Listening on TCP is {@link startServer}'s job.
 *
 * @example
 * const server = new MpcrpServer({ maxPayload: 16 * 1024 });
 * netServer.on('connection', (socket) => server.accept(socket));
 * const local = server.connectMemory(); // an in-process client transport
 */
export class MpcrpServer {
  readonly options: Readonly<ResolvedServerOptions>;
  readonly registry: Registry;
  /** The counters given as `options.stats`, if any (the metrics endpoint reads them). */
  readonly stats: ServerStats | undefined;
  readonly #log: Logger;
  readonly #connections = new Set<Connection>();
  readonly #byName = new Map<string, Connection>();
  readonly #perIp: PerIpCounter;
  readonly #refusals: LogLimiter;
  readonly #clientLog: LogLimiter;
  /** Sockets a listener holds a place for (TLS handshakes in progress): see {@link reserve}. */
  #reserved = 0;
  /** The per-IP key each counted connection holds, to give back on release. */
  readonly #ipKeys = new Map<Connection, string>();
  readonly #scheduler = new FlushScheduler();
  readonly #hub: Hub & ConnectionHost;
  #nextId = 1;
  #closing: Promise<void> | undefined;

  /** Throws ConfigError when an option is out of range. */
  constructor(options: ServerOptions = {}) {
    this.options = Object.freeze(resolveServerOptions(options));
    this.registry = options.registry ?? new InMemoryRegistry();
    this.#log = options.logger ?? silentLogger;
    this.stats = options.stats;
    this.#perIp = new PerIpCounter(this.options.maxConnectionsPerIp, this.options.perIpExempt);
    this.#refusals = new LogLimiter(this.#log);
    // A few lines a second per kind: enough to see what a faulty client sends.
    const clientLog = new LogLimiter(this.#log, { linesPerWindow: 3 });
    this.#clientLog = clientLog;
    const maxPayload = this.options.maxPayload;
    const hub: Hub & ConnectionHost = {
      options: this.options,
      registry: this.registry,
      log: this.#log,
      stats: this.stats,
      flood: new FloodPolicy(
        this.options.frameRate,
        this.options.frameBurst,
        this.options.throttleTimeout,
      ),
      byName: this.#byName,
      maxPayload,
      recipients: new RecipientCache(),
      clientLog,
      roomList: new RoomListCache(this.registry, maxPayload, (rooms, listed) =>
        clientLog.warn('RoomList truncated to fit maxPayload', { rooms, listed, maxPayload }),
      ),
      roomLimits: Object.freeze({
        maxRooms: this.options.maxRooms,
        maxRoomsPerUser: this.options.maxRoomsPerUser,
        maxMembers: this.options.maxRoomMembers,
      }),
      handle: (conn: Connection, frame: FrameView): Awaitable<void> =>
        handleFrame(hub, conn, frame),
      released: (conn, pending) => this.#released(conn, pending),
      markDirty: (conn) => this.#scheduler.mark(conn),
    };
    this.#hub = hub;
    // A registry shared by several nodes delivers what happens elsewhere through these.
    hub.remote = this.registry.attach?.({
      deliverData: (sender, room, buffer, start, end, members) =>
        relayData(hub, { name: sender }, room, buffer, start, end, members),
      deliverPresence: (members, actor, event) => sendPresence(hub, members, actor, event),
      evict: (name, reason) => this.#byName.get(name)?.abort(reason),
    });
  }

  /** Connections being served now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Users registered on this server (connections with a username). */
  get userCount(): number {
    return this.#byName.size;
  }

  /**
   * Serves one connected client over `transport` until it closes. Every listener feeds
   * this, so the connection caps apply to all: a connection over `maxConnections`, or over
   * `maxConnectionsPerIp` for its address, is closed at once (logged at most once a second
   * per cap, with the count of refusals in between).
   */
  accept(transport: Transport): void {
    if (this.#closing !== undefined) {
      transport.destroy();
      return;
    }
    const remote = transport.remoteAddress;
    if (!this.#hasRoom(remote)) {
      transport.destroy();
      return;
    }
    const ipKey = this.#perIp.key(remote);
    if (ipKey !== undefined && !this.#perIp.add(ipKey)) {
      if (this.stats) this.stats.limits.maxConnectionsPerIp++;
      this.#refusals.warn('connection refused: maxConnectionsPerIp reached for its address', {
        remote,
        maxConnectionsPerIp: this.options.maxConnectionsPerIp,
      });
      transport.destroy();
      return;
    }
    const conn = new Connection(this.#hub, transport, this.#nextId++);
    this.#connections.add(conn);
    this.stats?.opened(transport);
    if (ipKey !== undefined) this.#ipKeys.set(conn, ipKey);
    this.#log.info('connection opened', { conn: conn.id, remote });
  }

  /**
   * Holds a place under `maxConnections` for a socket not served yet (a listener's TLS
   * handshake), so the cap counts every listener's sockets together. False, after
   * logging the refusal, when the server is full: the caller closes the socket. A place
   * held is given back with {@link unreserve}, just before the socket is {@link accept}ed
   * or once it has closed.
   */
  reserve(remote: string | undefined): boolean {
    if (this.#closing !== undefined || !this.#hasRoom(remote)) return false;
    this.#reserved += 1;
    return true;
  }

  /** Gives back a place {@link reserve} held. */
  unreserve(): void {
    this.#reserved -= 1;
  }

  /** Below maxConnections, counting served connections and held places; logs a refusal. */
  #hasRoom(remote: string | undefined): boolean {
    const { maxConnections } = this.options;
    if (this.#connections.size + this.#reserved < maxConnections) return true;
    if (this.stats) this.stats.limits.maxConnections++;
    this.#refusals.warn('connection refused: maxConnections reached', { remote, maxConnections });
    return false;
  }

  /**
   * Opens an in-memory connection to this server and returns the client's end, e.g. to
   * run a bot in the same process without a socket.
   */
  connectMemory(): Transport {
    const [client, server] = memoryTransportPair();
    this.accept(server);
    return client;
  }

  /**
   * Flushes and closes every connection; resolves once all transports have closed
   * (clients that do not close their end are cut off after `closeTimeout`).
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#scheduler.flush();
      const open = [...this.#connections];
      for (const conn of open) conn.close('server closing');
      await Promise.all(open.map((conn) => conn.finished));
      // Counts still waiting for their summary line reach the log before the end.
      this.#refusals.flush();
      this.#clientLog.flush();
    })();
    return this.#closing;
  }

  #released(conn: Connection, pending: Promise<void> | undefined): void {
    this.#connections.delete(conn);
    if (this.stats) this.stats.open[listenerKind(conn.transport)]--;
    const ipKey = this.#ipKeys.get(conn);
    if (ipKey !== undefined) {
      this.#ipKeys.delete(conn);
      this.#perIp.remove(ipKey);
    }
    const release = (): void => {
      const done = releaseConnection(this.#hub, conn);
      if (done !== undefined) {
        done.catch((error: unknown) =>
          this.#log.error('registry failed to release a user', { user: conn.name, error }),
        );
      }
    };
    if (pending === undefined) release();
    else void pending.then(release);
  }
}
