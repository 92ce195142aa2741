/**
 * The messages nodes of one cluster send each other over Redis pub/sub. Binary, so a
 * relayed Data frame crosses as the bytes the client sent, and so the Lua scripts (which
 * publish presence events in the same atomic step as the change) can build them too.
 *
 * Layout: version (1 byte), kind (1 byte), then length-prefixed strings (1 byte length):
 * origin node id, room, user, and for a rename the old name. A Data message ends with
 * the whole Data frame (header and payload) after its strings.
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
  /** Data: the Data frame is `buffer` from `frameStart` to its end. */
  buffer: Buffer;
  frameStart: number;
}

function lengthPrefixed(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > 255) throw new RangeError(`cluster message field over 255 bytes: ${value}`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/**
 * Builds messages from one node: the version, kind-independent origin prefix is encoded
 * once, so a relay costs one allocation and one copy of the frame.
 */
export class WireEncoder {
  readonly #origin: Buffer;

  constructor(readonly origin: string) {
    this.#origin = lengthPrefixed(origin);
  }

  data(room: string, sender: string, frame: Buffer): Buffer {
    const roomLength = Buffer.byteLength(room);
    const senderLength = Buffer.byteLength(sender);
    const origin = this.#origin;
    const out = Buffer.allocUnsafe(
      2 + origin.length + 2 + roomLength + senderLength + frame.length,
    );
    out[0] = WIRE_VERSION;
    out[1] = Kind.Data;
    let at = 2 + origin.copy(out, 2);
    out[at++] = roomLength;
    at += out.write(room, at, 'utf8');
    out[at++] = senderLength;
    at += out.write(sender, at, 'utf8');
    frame.copy(out, at);
    return out;
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
