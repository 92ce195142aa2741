/**
 * The messages nodes of one cluster send each other over Redis pub/sub. Binary, so a
 * relayed Data frame crosses as the bytes the client sent, and so the Lua scripts (which
 * publish presence events in the same atomic step as the change) can build them too.
 *
 * Layout: version (1 byte), kind (1 byte), then length-prefixed strings (1 byte length):
 * origin node id, room, user, and for a rename the old name. A Data message leaves user
 * empty and carries a room's Data frames of one event-loop turn: each is its sender
 * (length-prefixed) and then the whole frame, header and payload, the header giving its
 * length.
 */

/** Bumped when the layout changes; a node drops (and logs) versions it does not know. */
export const WIRE_VERSION = 1;

export const Kind = {
  /** A client's Data frame, to be relayed to the room's members on other nodes. */
  Data: 1,
  Join: 2,
  Leave: 3,
  Rename: 4,
  /** The room is gone: its members on every node lose it. */
  Destroy: 5,
  /** On the control channel: this node is back (resubscribed and resynced). */
  Up: 6,
  /** On the control channel: the answer of a node that is up to another's Up. */
  Here: 7,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface WireMessage {
  kind: Kind;
  origin: string;
  room: string;
  user: string;
  /** Rename: the name before. */
  old?: string;
  /** Data: the entries are `buffer` from `frameStart` to its end (see {@link dataEntries}). */
  buffer: Buffer;
  frameStart: number;
}

/** A relayed frame inside a Data message: its payload is `buffer` from `start` to `end`. */
export interface DataEntry {
  sender: string;
  start: number;
  end: number;
}

/** The frames of a Data message; stops at the first entry that runs past the message. */
export function* dataEntries(message: WireMessage): Generator<DataEntry> {
  const { buffer } = message;
  let at = message.frameStart;
  while (at < buffer.length) {
    const senderEnd = at + 1 + buffer[at]!;
    if (senderEnd + 4 > buffer.length) return;
    const sender = buffer.toString('utf8', at + 1, senderEnd);
    const start = senderEnd + 4;
    const end = start + buffer.readUIntBE(senderEnd + 1, 3);
    if (end > buffer.length) return;
    yield { sender, start, end };
    at = end;
  }
}

function lengthPrefixed(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > 255) throw new RangeError(`cluster message field over 255 bytes: ${value}`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** Builds messages from one node (its origin field encoded once). */
export class WireEncoder {
  readonly #origin: Buffer;

  constructor(readonly origin: string) {
    this.#origin = lengthPrefixed(origin);
  }

  /** One relayed frame: its sender, then the Data frame itself (header and payload). */
  entry(sender: string, frame: Buffer): Buffer {
    const senderLength = Buffer.byteLength(sender);
    const out = Buffer.allocUnsafe(1 + senderLength + frame.length);
    out[0] = senderLength;
    const at = 1 + out.write(sender, 1, 'utf8');
    frame.copy(out, at);
    return out;
  }

  /** A room's relayed frames of one event-loop turn, as one message. */
  data(room: string, entries: readonly Buffer[]): Buffer {
    const head = Buffer.concat([
      Buffer.from([WIRE_VERSION, Kind.Data]),
      this.#origin,
      lengthPrefixed(room),
      Buffer.from([0]),
    ]);
    return Buffer.concat([head, ...entries]);
  }

  control(kind: typeof Kind.Up | typeof Kind.Here): Buffer {
    return Buffer.concat([Buffer.from([WIRE_VERSION, kind]), this.#origin, Buffer.from([0, 0])]);
  }
}

/** Why a message could not be read, for the log; undefined when it was read. */
export type WireProblem = 'version' | 'truncated';

/** Reads a message; a string says why it could not be. */
export function decodeWire(buffer: Buffer): WireMessage | WireProblem {
  if (buffer.length < 2) return 'truncated';
  if (buffer[0] !== WIRE_VERSION) return 'version';
  const kind = buffer[1] as Kind;
  let at = 2;
  const field = (): string | undefined => {
    if (at >= buffer.length) return undefined;
    const length = buffer[at]!;
    const end = at + 1 + length;
    if (end > buffer.length) return undefined;
    const value = buffer.toString('utf8', at + 1, end);
    at = end;
    return value;
  };
  const origin = field();
  const room = field();
  const user = field();
  if (origin === undefined || room === undefined || user === undefined) return 'truncated';
  const message: WireMessage = { kind, origin, room, user, buffer, frameStart: at };
  if (kind === Kind.Rename) {
    const old = field();
    if (old === undefined) return 'truncated';
    message.old = old;
  }
  return message;
}
