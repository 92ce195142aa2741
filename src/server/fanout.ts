import { encodeDataFrom, encodeMessage } from '../protocol/codec.js';
import { HEADER_SIZE, MessageType, type PresenceEvent } from '../protocol/types.js';
import type { Connection } from './connection.js';
import type { ServerStats } from './stats.js';

/** What the fan-out needs from the server: who is online here, and the send limit. */
export interface FanoutHost {
  readonly byName: ReadonlyMap<string, Connection>;
  readonly maxPayload: number;
  /** This server's memo of each room's member connections. */
  readonly recipients: RecipientCache;
  /** Counters for the metrics endpoint; undefined when nobody reads them. */
  readonly stats?: ServerStats | undefined;
}

/**
 * Remembers, for each member list the registry returned, the connection found for each
 * name, so a relay need not look every recipient up by name for every message.
 *
 * It never trusts what it remembers: a slot is used only while that connection is open
 * and still has the name the list holds at that index; otherwise the name is looked up
 * again (and remembered). An open connection with name N is the one `byName` maps N to,
 * so a hit is always what the lookup would return, whatever changed since: a rename, a
 * join or quit (the list shifts, the slots after it are looked up again), a disconnect, or
 * the same name taken by a new connection. Nothing has to tell it about changes, so it is
 * as safe with an asynchronous or shared registry as with the in-memory one.
 *
 * Keyed by the list itself, weakly: the in-memory registry hands out each room's one
 * live array, so its memo lives as long as the room. A registry that returns a new array
 * each time just gets a new, short-lived memo per relay.
 */
export class RecipientCache {
  readonly #memo = new WeakMap<readonly string[], (Connection | undefined)[]>();

  /** The slots for `members`, index for index; check each with {@link recipientAt}. */
  slotsFor(members: readonly string[]): (Connection | undefined)[] {
    let slots = this.#memo.get(members);
    if (slots === undefined) {
      slots = new Array<Connection | undefined>(members.length);
      this.#memo.set(members, slots);
    } else if (slots.length > members.length) {
      slots.length = members.length; // someone left: keep no closed connection alive
    }
    return slots;
  }
}

/** The connection of `members[i]`, from the slot when it still holds, else looked up and kept. */
function recipientAt(
  byName: ReadonlyMap<string, Connection>,
  members: readonly string[],
  slots: (Connection | undefined)[],
  i: number,
): Connection | undefined {
  const name = members[i]!;
  const known = slots[i];
  if (known !== undefined && known.name === name && !known.closed) return known;
  const found = byName.get(name);
  slots[i] = found;
  return found;
}

/**
 * Collects connections with queued output and flushes them all once per event-loop turn
 * (setImmediate runs after every socket read of the turn), so a burst of relays becomes
 * one write per recipient instead of one per frame.
 */
export class FlushScheduler {
  #dirty: Connection[] = [];
  #scheduled = false;

  mark(connection: Connection): void {
    this.#dirty.push(connection);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.#scheduled = false;
    const dirty = this.#dirty;
    this.#dirty = [];
    for (const connection of dirty) connection.flush();
  };
}

/**
 * Relays one Data frame from `sender` to every other member of `room`: its payload is
 * `buffer` from `start` to `end`, its header the 4 bytes before (as the decoder hands it
 * over). Each form of the frame is built at most once per relay and the same Buffer is
 * queued to every recipient: Data (13) is a view of the received bytes themselves (the
 * output queue copies it before a view could outlive the turn, see OutputQueue.flush);
 * DataFrom (130) is encoded once, and only if some recipient was granted `sender`.
 */
export function relayData(
  host: FanoutHost,
  /** The sending connection, or just the name of a sender on another node. */
  sender: Pick<Connection, 'name'>,
  room: string,
  buffer: Buffer,
  start: number,
  end: number,
  members: readonly string[],
): void {
  const senderName = sender.name!;
  const { byName } = host;
  const slots = host.recipients.slotsFor(members);
  let data: Buffer | undefined;
  let dataFrom: Buffer | undefined;
  // Counted here, once per relay, so the metrics add nothing per recipient.
  let dataSent = 0;
  let dataFromSent = 0;
  for (let i = 0; i < members.length; i++) {
    const recipient = recipientAt(byName, members, slots, i);
    if (recipient === undefined || recipient === sender) continue;
    if (recipient.grants.sender) {
      if (dataFrom === undefined) {
        const text = buffer.subarray(start + 1 + buffer[start]!, end);
        dataFrom = encodeDataFrom(room, senderName, text);
        // A DataFrom is the Data payload plus the sender. When that would pass the limit
        // the recipient gets the plain Data instead: it loses the sender, not the text.
        if (dataFrom.length - HEADER_SIZE > host.maxPayload) {
          data ??= buffer.subarray(start - HEADER_SIZE, end);
          dataFrom = data;
        }
      }
      if (recipient.relay(dataFrom)) {
        if (dataFrom === data) dataSent++;
        else dataFromSent++;
      }
    } else {
      data ??= buffer.subarray(start - HEADER_SIZE, end);
      if (recipient.relay(data)) dataSent++;
    }
  }
  const stats = host.stats;
  if (stats !== undefined) {
    stats.framesOut[MessageType.Data]! += dataSent;
    stats.framesOut[MessageType.DataFrom]! += dataFromSent;
    stats.bytesOut +=
      dataSent * (end - start + HEADER_SIZE) + dataFromSent * (dataFrom?.length ?? 0);
  }
}

/**
 * Sends a Presence frame about `event.room` to each member granted `presence`, except
 * `actor` (the user whose action it is gets none). Encoded once, only if needed.
 */
export function sendPresence(
  host: FanoutHost,
  members: readonly string[],
  actor: string,
  event: PresenceEvent,
): void {
  let frame: Buffer | undefined;
  for (const name of members) {
    if (name === actor) continue;
    const recipient = host.byName.get(name);
    if (recipient === undefined || !recipient.grants.presence) continue;
    frame ??= encodeMessage({ type: MessageType.Presence, ...event });
    recipient.send(frame);
  }
}
