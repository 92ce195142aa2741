import type { Redis } from 'ioredis';
import { ConfigError, ConnectError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { RoomInfo } from '../../protocol/types.js';
import { LogLimiter } from '../log-limiter.js';
import type {
  CreateResult,
  DestroyResult,
  JoinResult,
  LocalNode,
  QuitResult,
  Registry,
  RemoteRelay,
  RenameResult,
  RoomLimits,
  RoomMembers,
} from '../registry.js';
import { ClusterBus } from './bus.js';
import { Lease } from './leases.js';
import { ClusterLink } from './link.js';
import { LocalState } from './local-state.js';
import {
  type ClusterOptions,
  type ResolvedClusterOptions,
  resolveClusterOptions,
} from './options.js';
import { createClients, defineScripts, delay, redactUrl, type Scripts } from './redis-clients.js';
import { deliverRemote } from './remote.js';
import { Kind, WireEncoder, type WireMessage } from './wire.js';

/**
 * The {@link Registry} of a cluster: server nodes sharing one Redis behave as one
 * server. Names, rooms, owners and members live in Redis, each change one Lua script
 * (so a race across nodes has exactly one winner, and its presence event is published in
 * the same step); each node keeps its own users' memberships locally (see LocalState),
 * delivers to them without asking Redis, and relays Data to the other nodes over the
 * room's channel (see ClusterBus). Nodes hold leases (see Lease); a dead node's users
 * are freed by the others.
 *
 * While Redis is away, operations that need the cluster fail with the protocol's failure
 * response (logged), local delivery goes on, and cross-node messages are held.
 *
 * @example
 * const registry = await RedisRegistry.connect({ url: 'redis://127.0.0.1:6379' }, logger);
 * const server = new MpcrpServer({ registry });
 * // ... later, after server.close():
 * await registry.close();
 */
export class RedisRegistry implements Registry {
  readonly nodeId: string;
  readonly options: Readonly<ResolvedClusterOptions>;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #log: Logger;
  readonly #scripts: Scripts;
  readonly #state = new LocalState();
  readonly #bus: ClusterBus;
  readonly #lease: Lease;
  readonly #link: ClusterLink;
  readonly #inflight = new Set<Promise<unknown>>();
  /** Refusals during an outage: at most one line a second per operation. */
  readonly #refusals: LogLimiter;
  #node: LocalNode | undefined;
  #resyncing: Promise<number> | undefined;
  #closed: Promise<void> | undefined;

  /** Connects to Redis and joins the cluster; rejects (closing both connections) when it cannot. */
  static async connect(options: ClusterOptions, log: Logger): Promise<RedisRegistry> {
    const resolved = resolveClusterOptions(options);
    const registry = new RedisRegistry(resolved, log);
    try {
      await registry.#start();
    } catch (error) {
      registry.#cmd.disconnect();
      registry.#sub.disconnect();
      throw error;
    }
    return registry;
  }

  private constructor(options: ResolvedClusterOptions, log: Logger) {
    this.options = Object.freeze(options);
    this.nodeId = options.nodeId;
    this.#log = log;
    this.#refusals = new LogLimiter(log);
    const { cmd, sub } = createClients(options);
    this.#cmd = cmd;
    this.#sub = sub;
    this.#scripts = defineScripts(cmd, options.prefix, this.nodeId);
    this.#bus = new ClusterBus({
      pub: this.#cmd,
      sub: this.#sub,
      prefix: options.prefix,
      log,
      encoder: new WireEncoder(this.nodeId),
      maxHeldMessages: options.maxHeldMessages,
      maxHeldBytes: options.maxHeldBytes,
      onMessage: (message) => this.#remote(message),
    });
    this.#lease = new Lease({
      nodeId: this.nodeId,
      leaseTtl: options.leaseTtl,
      log,
      beat: async (leaseMs, reap) => {
        const [had, reaped, ...nodes] = (await this.#scripts.heartbeat(
          leaseMs,
          reap ? '1' : '0',
        )) as [number, number, ...string[]];
        return { had: had === 1, reaped, nodes };
      },
      onLost: () => this.#requestResync(),
    });
    this.#link = new ClusterLink({
      clients: [this.#cmd, this.#sub],
      bus: this.#bus,
      lease: this.#lease,
      log,
      settleTimeout: options.settleTimeout,
      resync: () => this.#resync(),
    });
  }

  async #start(): Promise<void> {
    const where = redactUrl(this.options.url);
    let first: Error | undefined;
    const remember = (error: Error) => {
      first ??= error;
    };
    this.#cmd.once('error', remember);
    try {
      await Promise.all([this.#cmd.connect(), this.#sub.connect()]);
    } catch (error) {
      // connect() only says the connection closed; the 'error' before it says why.
      const reason = (first ?? (error as Error)).message;
      throw new ConnectError(
        where,
        `${reason} (is redis-server running there? check --redis, serve.redis or MPCRP_REDIS_URL)`,
        { cause: first ?? error },
      );
    } finally {
      this.#cmd.off('error', remember);
    }
    const info = await this.#cmd.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version !== null && Number(version[1]) < 7) {
      throw new ConfigError([
        `Redis at ${where} is version ${version[1]}.${version[2]}; the cluster needs Redis 7 or later (sharded pub/sub)`,
      ]);
    }
    await this.#bus.start();
    await this.#lease.beat();
    this.#lease.start();
    this.#link.started();
    // Says hello: the others learn of this node (and answer, so it learns of them) before
    // their next heartbeat, so an outage right after start still waits for everyone.
    await this.#bus.announce(Kind.Up);
    this.#log.info('cluster: joined', {
      node: this.nodeId,
      redis: where,
      prefix: this.options.prefix,
      leaseTtl: this.options.leaseTtl,
      peers: this.#lease.peers.length,
    });
  }

  attach(node: LocalNode): RemoteRelay {
    this.#node = node;
    return { relay: (room, sender, frame) => this.#bus.relay(room, sender, frame) };
  }

  addUser(name: string): Promise<boolean> {
    return this.#op('SetUserName', false, async () => {
      const added = (await this.#scripts.addUser(name)) === 1;
      if (added) this.#state.addUser(name);
      return added;
    });
  }

  renameUser(from: string, to: string): Promise<RenameResult> {
    return this.#op('SetUserName', { status: 'taken' } as RenameResult, async () => {
      const result = await this.#scripts.renameUser(from, to);
      if (result === 0) return { status: 'taken' };
      if (result === -1) throw new Error(`rename: '${from}' is not this node's user in Redis`);
      return { status: 'renamed', rooms: this.#state.renameUser(from, to) };
    });
  }

  removeUser(name: string): Promise<readonly RoomMembers[]> | readonly RoomMembers[] {
    const left = this.#state.removeUser(name);
    for (const { room } of left) this.#bus.release(room);
    this.#bus.flushRelays();
    // While Redis is away the resync after it comes back removes the user.
    if (this.#link.state === 'down') return left;
    return this.#track(
      this.#scripts.removeUser(name).then(
        () => left,
        (error: unknown) => {
          this.#failed('disconnect', error);
          return left;
        },
      ),
    );
  }

  createRoom(room: string, owner: string, limits: RoomLimits): Promise<CreateResult> {
    return this.#withRoom(room, 'CreateRoom', { status: 'exists' }, async () => {
      const status = (await this.#scripts.createRoom(
        room,
        owner,
        limits.maxRooms,
        limits.maxRoomsPerUser,
      )) as CreateResult['status'];
      if (status === 'created') this.#state.created(room, owner);
      return { keep: status === 'created', result: { status } as CreateResult };
    });
  }

  joinRoom(room: string, user: string, limits: RoomLimits): Promise<JoinResult> {
    return this.#withRoom(room, 'JoinRoom', { status: 'missing' }, async () => {
      const [status, owner] = (await this.#scripts.joinRoom(
        room,
        user,
        limits.maxMembers,
        limits.maxRoomsPerUser,
      )) as [JoinResult['status'], string | undefined];
      const isNew = !this.#state.isMember(room, user);
      if (status === 'joined' || (status === 'already' && isNew)) {
        const members = this.#state.joined(room, user, owner);
        const result: JoinResult = status === 'joined' ? { status, members } : { status };
        return { keep: true, result };
      }
      return { keep: false, result: { status } as JoinResult };
    });
  }

  quitRoom(room: string, user: string): Promise<QuitResult> | QuitResult {
    if (this.#link.state === 'down') {
      // Leaving needs no one's permission: done here now, in Redis by the resync later.
      if (!this.#state.isMember(room, user)) return { status: 'not-member' };
      return this.#left(room, user);
    }
    return this.#op('QuitRoom', { status: 'not-member' } as QuitResult, async () => {
      const status = (await this.#scripts.quitRoom(room, user)) as QuitResult['status'];
      if (status !== 'left') return { status } as QuitResult;
      return this.#left(room, user);
    });
  }

  destroyRoom(room: string, requester: string): Promise<DestroyResult> {
    return this.#op('DestroyRoom', { status: 'missing' } as DestroyResult, async () => {
      const status = (await this.#scripts.destroyRoom(room, requester)) as DestroyResult['status'];
      if (status !== 'destroyed') return { status } as DestroyResult;
      return { status, removed: this.#destroyed(room) };
    });
  }

  members(room: string): Promise<readonly string[] | undefined> {
    // While Redis is away, the members this node serves are all it knows.
    const local = this.#state.rooms.has(room) ? this.#state.localMembers(room) : undefined;
    return this.#op('GetUserList', local, async () => {
      const members = await this.#scripts.members(room);
      return Array.isArray(members) ? (members as string[]) : undefined;
    });
  }

  membersIfMember(room: string, user: string): readonly string[] | undefined {
    return this.#state.membersIfMember(room, user);
  }

  listRooms(): Promise<RoomInfo[]> {
    const local = [...this.#state.rooms].map(([room, r]) => ({ room, members: r.members.length }));
    return this.#op('ListRooms', sortRooms(local), async () => {
      const flat = (await this.#scripts.listRooms()) as (string | number)[];
      const rooms: RoomInfo[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        rooms.push({ room: String(flat[i]), members: Number(flat[i + 1]) });
      }
      return sortRooms(rooms);
    });
  }

  /**
   * Leaves the cluster cleanly: this node's users leave their rooms (the other nodes see
   * the leaves at once, not after the lease), its lease goes, the connections close.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#lease.stop();
      this.#link.close();
      await Promise.allSettled([...this.#inflight]);
      if (this.#bus.held > 0) {
        this.#log.warn('cluster: closing with cross-node messages still held; they are lost', {
          held: this.#bus.held,
        });
      }
      if (this.#cmd.status === 'ready') {
        await this.#scripts.leave().catch((error: unknown) => {
          this.#log.warn('cluster: could not leave cleanly; the lease will expire', { error });
        });
      }
      // QUIT when connected (Redis drops our subscriptions at once); otherwise just stop
      // reconnecting. Bounded either way: closing never waits for Redis to come back.
      await Promise.allSettled(
        [this.#cmd, this.#sub].map((client) =>
          client.status === 'ready'
            ? Promise.race([client.quit(), delay(this.options.commandTimeout)])
            : undefined,
        ),
      );
      this.#cmd.disconnect();
      this.#sub.disconnect();
      this.#log.info('cluster: left', { node: this.nodeId });
    })();
    return this.#closed;
  }

  /** Runs `run` when the cluster is reachable; `fallback` (logged) when it is not or fails. */
  async #op<T>(what: string, fallback: T, run: () => Promise<T>): Promise<T> {
    const up = this.#link.whenUp(this.options.commandTimeout);
    if (up !== undefined && !(await up)) {
      this.#refusals.warn(`cluster: Redis unavailable, ${what} refused`, {});
      return fallback;
    }
    // Data relayed before this change reaches the other nodes before its event.
    this.#bus.flushRelays();
    try {
      return await this.#track(run());
    } catch (error) {
      this.#failed(what, error);
      return fallback;
    }
  }

  /** An op that may make this node a member of `room`: subscribed first, so nothing is missed. */
  #withRoom<T>(
    room: string,
    what: string,
    fallback: T,
    run: () => Promise<{ keep: boolean; result: T }>,
  ): Promise<T> {
    return this.#op(what, fallback, async () => {
      let keep = false;
      try {
        const subscribed = this.#bus.acquire(room);
        if (subscribed !== undefined) {
          // Bounded like every command: a subscriber connection that is away fails the op.
          const timeout = this.options.commandTimeout;
          const late = delay(timeout).then(() => {
            throw new Error(`no SSUBSCRIBE confirmation within ${timeout} ms`);
          });
          await Promise.race([subscribed, late]);
        }
        const outcome = await run();
        keep = outcome.keep;
        return outcome.result;
      } finally {
        if (!keep) this.#bus.release(room);
      }
    });
  }

  #left(room: string, user: string): QuitResult {
    const members = this.#state.left(room, user);
    this.#bus.release(room);
    return { status: 'left', members };
  }

  #destroyed(room: string): readonly string[] {
    const removed = [...this.#state.destroyed(room)];
    this.#bus.setRefs(room, 0);
    return removed;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise);
    void promise.finally(() => this.#inflight.delete(promise)).catch(() => {});
    return promise;
  }

  /** An operation failed in Redis: whether it took effect is unknown, so assert the state again. */
  #failed(what: string, error: unknown): void {
    this.#log.warn(
      `cluster: ${what} failed in Redis; refused, and this node's state asserted again`,
      {
        error,
      },
    );
    this.#requestResync();
  }

  #requestResync(): void {
    if (this.#link.state !== 'up') return; // the settle after the reconnect resyncs
    this.#resync().catch((error: unknown) =>
      this.#log.warn('cluster: resync failed; retried at the next heartbeat', { error }),
    );
  }

  /** Asserts this node's users, memberships and rooms in Redis; drops names lost meanwhile. */
  #resync(): Promise<number> {
    this.#resyncing ??= (async () => {
      const snapshot = this.#state.snapshot();
      const lost = (await this.#scripts.resync(
        this.#lease.leaseMs,
        JSON.stringify(snapshot),
      )) as string[];
      for (const name of lost) {
        this.#log.warn(
          'cluster: another node took this name while Redis had lost this node; closing its connection',
          {
            user: name,
          },
        );
        this.#node?.evict(name, 'name taken in the cluster');
      }
      return snapshot.users.length;
    })().finally(() => {
      this.#resyncing = undefined;
    });
    return this.#resyncing;
  }

  /** A message from another node. */
  #remote(message: WireMessage): void {
    if (message.kind === Kind.Up || message.kind === Kind.Here) {
      this.#link.control(message.kind, message.origin);
    } else if (this.#node !== undefined) {
      deliverRemote(message, this.#node, this.#state, (room) => this.#destroyed(room));
    }
  }
}

function sortRooms(rooms: RoomInfo[]): RoomInfo[] {
  return rooms.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
}
