import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import type { ClusterBus } from './bus.js';
import type { Lease } from './leases.js';
import { Kind } from './wire.js';

export type LinkState = 'up' | 'down' | 'settling';

/**
 * The node's connection to the cluster as one state: `up`, `down` (Redis is away: state
 * changes are refused, local delivery goes on, cross-node messages are held) and
 * `settling` (Redis is back: resubscribed, the node's state asserted again, waiting for
 * the nodes it knew to say they are back too, so that what it held reaches them).
 *
 * The wait is a handshake on the control channel: a node that is back publishes Up; a
 * node that is up answers every Up with Here. Whichever of the two a settling node sees
 * from a peer, that peer is subscribed again. A peer that never answers (it died with
 * Redis) is waited for at most `settleTimeout`.
 */
export class ClusterLink {
  state: LinkState = 'up';
  readonly #clients: readonly Redis[];
  readonly #bus: ClusterBus;
  readonly #lease: Lease;
  readonly #log: Logger;
  readonly #settleTimeout: number;
  readonly #resync: () => Promise<number>;
  #epoch = 0;
  #heard = new Set<string>();
  #waiting: { peers: Set<string>; done: () => void } | undefined;
  #upWaiters: (() => void)[] = [];
  /** Until the node joined, a failed connect is the caller's error, not an outage. */
  #started = false;
  #closing = false;
  #downSince = 0;
  #errorsLogged = 0;

  constructor(init: {
    clients: readonly Redis[];
    bus: ClusterBus;
    lease: Lease;
    log: Logger;
    settleTimeout: number;
    /** Asserts the node's state in Redis again; resolves to the users asserted. */
    resync: () => Promise<number>;
  }) {
    this.#clients = init.clients;
    this.#bus = init.bus;
    this.#lease = init.lease;
    this.#log = init.log;
    this.#settleTimeout = init.settleTimeout;
    this.#resync = init.resync;
    for (const client of this.#clients) {
      client.on('close', () => this.#down());
      client.on('ready', () => this.#maybeSettle());
      client.on('error', (error: Error) => {
        // ioredis reports every failed reconnect; the first of an outage is enough.
        if (!this.#started) return;
        if (this.#errorsLogged++ === 0) this.#log.warn('cluster: Redis error', { error });
        else this.#log.debug('cluster: Redis error', { error });
      });
    }
  }

  /**
   * Undefined when up; a Promise resolving to whether the link came up within `ms`
   * while settling; false when down.
   */
  whenUp(ms: number): Promise<boolean> | false | undefined {
    if (this.state === 'up') return undefined;
    if (this.state === 'down') return false;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.#upWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** A control message from another node. */
  control(kind: number, origin: string): void {
    this.#heard.add(origin);
    this.#lease.saw(origin);
    if (kind === Kind.Up && this.state === 'up') {
      this.#bus.announce(Kind.Here).catch(() => {});
    }
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      waiting.peers.delete(origin);
      if (waiting.peers.size === 0) waiting.done();
    }
  }

  started(): void {
    this.#started = true;
  }

  close(): void {
    this.#closing = true;
    this.#waiting?.done();
  }

  #down(): void {
    if (this.#closing || !this.#started) return;
    this.#epoch += 1;
    this.#waiting?.done();
    if (this.state === 'down') return;
    this.state = 'down';
    this.#downSince = Date.now();
    this.#heard = new Set();
    this.#bus.hold();
    this.#log.warn(
      'cluster: lost the Redis connection; local delivery goes on, state changes are refused and cross-node messages held until it is back',
    );
  }

  #maybeSettle(): void {
    if (this.#closing || this.state !== 'down') return;
    if (!this.#clients.every((c) => c.status === 'ready')) return;
    this.state = 'settling';
    const epoch = this.#epoch;
    this.#settle(epoch).catch((error: unknown) => {
      if (epoch !== this.#epoch || this.#closing) return;
      this.#log.warn('cluster: could not settle after Redis came back; retrying', { error });
      this.state = 'down';
      const retry = setTimeout(() => this.#maybeSettle(), 500);
      retry.unref();
    });
  }

  async #settle(epoch: number): Promise<void> {
    // ioredis sent the resubscriptions before 'ready'; a PING after them returns once
    // Redis has processed them, so from here on this node misses nothing.
    await Promise.all(this.#clients.map((c) => c.ping()));
    const users = await this.#resync();
    if (epoch !== this.#epoch) return;
    const peers = new Set(this.#lease.peers.filter((p) => !this.#heard.has(p)));
    const waited = Date.now();
    if (peers.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), this.#settleTimeout);
        timer.unref();
        this.#waiting = {
          peers,
          done: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        this.#bus.announce(Kind.Up).catch(() => {});
      });
      this.#waiting = undefined;
    } else {
      await this.#bus.announce(Kind.Up);
    }
    if (epoch !== this.#epoch || this.#closing) return;
    this.#lease.holdReaping();
    const { sent, dropped } = this.#bus.flush();
    this.state = 'up';
    this.#errorsLogged = 0;
    for (const wake of this.#upWaiters.splice(0)) wake();
    this.#log.info('cluster: Redis is back; state asserted, held messages sent', {
      downMs: Date.now() - this.#downSince,
      users,
      sent,
      dropped,
      peers: this.#lease.peers.length,
      waitedForPeersMs: Date.now() - waited,
      ...(peers.size > 0 ? { peersNotBack: [...peers].join(',') } : {}),
    });
    void this.#lease.beat();
  }
}
