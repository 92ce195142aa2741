import { type Awaitable, type Registry, settle } from './registry.js';
import { roomListResult } from './responses.js';

/**
 * How long a RoomList is reused when nothing changed here: rooms created or joined
 * through another server sharing the registry show up within this time.
 */
const MAX_AGE_MS = 1_000;
/** A rebuild must not take more than 1/50 of the time: the wait after one is 50x its cost. */
const COST_FACTOR = 50;
/** The wait after a rebuild never passes this, however slow the rebuild. */
const MAX_GAP_MS = 1_000;

/**
 * The encoded RoomList, shared by every ListRooms until a room changes. Listing, sorting
 * and encoding 10,000 rooms takes milliseconds; a flood of ListRooms would otherwise
 * repeat that work for every request and stall every other connection.
 *
 * The handlers call {@link invalidate} on every room change they make (create, destroy,
 * join, quit, a user leaving its rooms), so a client always sees its own change. A client
 * that changes rooms to defeat the cache only brings rebuilds closer together, never
 * above 1/{@link COST_FACTOR} of the time: a ListRooms coming sooner than that after a
 * rebuild waits for the next one (its connection's later frames wait too, so answers
 * stay in order). Changes made through other servers sharing the registry are seen
 * within {@link MAX_AGE_MS}.
 */
export class RoomListCache {
  readonly #registry: Registry;
  readonly #maxPayload: number;
  readonly #truncated: (rooms: number, listed: number) => void;
  #frame: Buffer | undefined;
  #builtAt = 0;
  /** Bumped by every invalidation, so a rebuild that raced one is not kept. */
  #generation = 0;
  /** When the last rebuild ended, and how long to wait after it before the next. */
  #lastEnd = Number.NEGATIVE_INFINITY;
  #gap = 0;
  /** The rebuild every ListRooms waits for meanwhile (deferred, or reading an async registry). */
  #pending: Promise<Buffer> | undefined;
  /** `#pending` already reads the registry: an invalidation must not reuse it. */
  #reading = false;

  constructor(
    registry: Registry,
    maxPayload: number,
    truncated: (rooms: number, listed: number) => void,
  ) {
    this.#registry = registry;
    this.#maxPayload = maxPayload;
    this.#truncated = truncated;
  }

  /** A room was created, destroyed, joined or left. */
  invalidate(): void {
    this.#frame = undefined;
    this.#generation += 1;
    if (this.#reading) this.#pending = undefined;
  }

  /** The RoomList frame to send: the cached one, or one built now or soon. */
  frame(): Awaitable<Buffer> {
    const now = performance.now();
    if (this.#frame !== undefined && now - this.#builtAt < MAX_AGE_MS) return this.#frame;
    if (this.#pending !== undefined) return this.#pending;
    const wait = this.#lastEnd + this.#gap - now;
    if (wait <= 0) return this.#build();
    const pending = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() =>
      this.#build(),
    );
    this.#pending = pending;
    const clear = (): void => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  #build(): Awaitable<Buffer> {
    const generation = this.#generation;
    const started = performance.now();
    const rooms = this.#registry.listRooms();
    let frame: Buffer | undefined;
    const done = settle(rooms, (list) => {
      this.#reading = false;
      const result = roomListResult(list, this.#maxPayload);
      const ended = performance.now();
      this.#lastEnd = ended;
      this.#gap = Math.min(MAX_GAP_MS, (ended - started) * COST_FACTOR);
      if (result.listed < list.length) this.#truncated(list.length, result.listed);
      if (generation === this.#generation) {
        this.#frame = result.frame;
        this.#builtAt = started;
      }
      frame = result.frame;
    });
    if (done === undefined) return frame!;
    this.#reading = true;
    const built = done.then(() => frame!);
    this.#pending = built;
    const clear = (): void => {
      this.#reading = false;
      if (this.#pending === built) this.#pending = undefined;
    };
    built.then(clear, clear);
    return built;
  }
}
