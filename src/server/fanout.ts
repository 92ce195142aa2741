import { encodeDataFrom, encodeMessage } from '../protocol/codec.js';
import { HEADER_SIZE, MessageType, type PresenceEvent } from '../protocol/types.js';
import type { Connection } from './connection.js';

/** What the fan-out needs from the server: who is online here, and the send limit. */
export interface FanoutHost {
  readonly byName: ReadonlyMap<string, Connection>;
  readonly maxPayload: number;
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
 * queued to every recipient: Data (13) is the received bytes themselves; DataFrom (130)
 * is encoded once, and only if some recipient was granted `sender`.
 */
export function relayData(
  host: FanoutHost,
  sender: Connection,
  room: string,
  buffer: Buffer,
  start: number,
  end: number,
  members: readonly string[],
): void {
  const senderName = sender.name!;
  let data: Buffer | undefined;
  let dataFrom: Buffer | undefined;
  for (const name of members) {
    if (name === senderName) continue;
    const recipient = host.byName.get(name);
    if (recipient === undefined) continue;
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
      recipient.send(dataFrom);
    } else {
      data ??= buffer.subarray(start - HEADER_SIZE, end);
      recipient.send(data);
    }
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
