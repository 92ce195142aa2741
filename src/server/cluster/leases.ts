import type { Logger } from '../../log.js';

export interface HeartbeatResult {
  /** This node still had its lease; false when it was reaped or Redis lost it. */
  had: boolean;
  /** Users of dead nodes this heartbeat freed. */
  reaped: number;
  /** Every live node, this one included. */
  nodes: string[];
}

/**
 * A node's lease in the cluster: renewed every `leaseTtl / 4`, valid for `3/4 leaseTtl`
 * from the last renewal (Redis's clock, so node clocks do not matter). Each renewal also
 * sweeps the nodes whose lease ran out, so a node killed with -9 has its users freed
 * within `leaseTtl` by whichever node sweeps first.
 */
export class Lease {
  readonly #beat: (leaseMs: number, reap: boolean) => Promise<HeartbeatResult>;
  readonly #log: Logger;
  readonly #interval: number;
  readonly #leaseMs: number;
  readonly #onLost: () => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** The first heartbeat creates the lease; only later ones can find it gone. */
  #held = false;
  /** No reaping before this time (ms since the epoch). */
  #reapAfter = 0;
  readonly #leaseTtl: number;
  /**
   * After an outage every lease may have run out while no node could renew it; the first
   * node back must not reap the others before they had a full TTL to come back too.
   */
  holdReaping(): void {
    this.#reapAfter = Date.now() + this.#leaseTtl;
  }

  /** The other live nodes: from the last heartbeat, plus any heard from since. */
  peers: readonly string[] = [];

  /** Another node spoke on the control channel: it is alive. */
  saw(node: string): void {
    if (node !== this.nodeId && !this.peers.includes(node)) this.peers = [...this.peers, node];
  }

  constructor(init: {
    nodeId: string;
    leaseTtl: number;
    log: Logger;
    beat: (leaseMs: number, reap: boolean) => Promise<HeartbeatResult>;
    /** The lease was gone at a heartbeat: the node must assert its state again. */
    onLost: () => void;
  }) {
    this.#beat = init.beat;
    this.#log = init.log;
    this.#interval = Math.floor(init.leaseTtl / 4);
    this.#leaseMs = init.leaseTtl - this.#interval;
    this.#onLost = init.onLost;
    this.#leaseTtl = init.leaseTtl;
    this.nodeId = init.nodeId;
  }

  readonly nodeId: string;

  /** Lease length written at each heartbeat. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.beat(), this.#interval);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One heartbeat now (skipped while one is running); never rejects. */
  beat(): Promise<void> {
    this.#running ??= this.#once().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #once(): Promise<void> {
    let result: HeartbeatResult;
    try {
      result = await this.#beat(this.#leaseMs, Date.now() >= this.#reapAfter);
    } catch (error) {
      this.#log.debug('cluster: heartbeat failed', { error });
      return;
    }
    this.peers = result.nodes.filter((n) => n !== this.nodeId);
    if (result.reaped > 0) {
      this.#log.warn('cluster: reaped the users of nodes whose lease ran out', {
        users: result.reaped,
      });
    }
    const first = !this.#held;
    this.#held = true;
    if (!result.had && !first) {
      this.#log.warn(
        'cluster: this node had lost its lease (reaped, or Redis lost its data); asserting its state again',
      );
      this.#onLost();
    }
  }
}
