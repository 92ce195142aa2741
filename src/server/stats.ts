import type { Transport } from '../transport/transport.js';

/** Which kind of listener a connection came in on. */
export type ListenerKind = 'tcp' | 'tls' | 'memory';

/**
 * Every server limit that can refuse, throttle or drop something, named as its option.
 * `reservedNames` counts SetUserName refusals for a reserved name; `maxConnections`
 * includes TLS sockets refused before their handshake (one cap over every listener).
 */
export const LIMITS = [
  'maxConnections',
  'maxConnectionsPerIp',
  'maxPayload',
  'frameTimeout',
  'maxMalformedFrames',
  'maxOutputBytes',
  'writeTimeout',
  'frameRate',
  'throttleTimeout',
  'registrationTimeout',
  'maxFramesBeforeRegistration',
  'maxRooms',
  'maxRoomsPerUser',
  'maxRoomMembers',
  'reservedNames',
] as const;
export type Limit = (typeof LIMITS)[number];

/** Why a Data frame was not relayed. */
export type DataDrop = 'notMember' | 'malformed' | 'unregistered';

/** Why a TLS handshake failed, coarsely (for a label; the log line has the detail). */
export type HandshakeFailure = 'timeout' | 'notTls' | 'oldProtocol' | 'reset' | 'other';

/** One Data message in this many is timed for the fan-out latency histogram. */
export const FANOUT_SAMPLE = 16;

/** Upper bounds, in seconds, of the fan-out latency buckets (+Inf is implied). */
export const FANOUT_BUCKETS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
  0.25, 1,
];

/**
 * A histogram as plain numbers: one count per bucket, the sum and the total. Observing is
 * a short loop and two additions, so it can sit on the relay path; a metrics library reads
 * it at scrape time.
 */
export class BucketCounts {
  readonly bounds: readonly number[];
  /** counts[i]: observations in bucket i alone (not cumulative); the last is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/**
 * What the server counts while it runs, for the metrics endpoint (src/http). Plain fields
 * incremented in place: the server never calls a metrics library, and a server without
 * `stats` (the default) skips even this. Counters only grow; gauges (users, rooms) are
 * read from the server itself at scrape time.
 *
 * @example
 * const stats = new ServerStats();
 * const server = new MpcrpServer({ stats });
 * // later: stats.framesIn[MessageType.Data], stats.limits.maxPayload ...
 */
export class ServerStats {
  /** Frames received, by message type (index = type byte). */
  readonly framesIn = new Float64Array(256);
  /** Frames queued to clients, by message type. */
  readonly framesOut = new Float64Array(256);
  bytesIn = 0;
  /** Bytes of frames queued to clients (a slow consumer's dropped output included). */
  bytesOut = 0;
  /** Data frames relayed to their room (the sender was a member). */
  dataRelayed = 0;
  readonly dataDropped: Record<DataDrop, number> = { notMember: 0, malformed: 0, unregistered: 0 };
  /** Frames dropped as malformed (of any type), each one toward `maxMalformedFrames`. */
  malformedFrames = 0;
  /** Connections open now, by listener. */
  readonly open: Record<ListenerKind, number> = { tcp: 0, tls: 0, memory: 0 };
  /** Connections accepted since start, by listener (refused ones are in `limits`). */
  readonly accepted: Record<ListenerKind, number> = { tcp: 0, tls: 0, memory: 0 };
  readonly limits: Record<Limit, number> = Object.fromEntries(LIMITS.map((l) => [l, 0])) as Record<
    Limit,
    number
  >;
  readonly tlsHandshakeFailures: Record<HandshakeFailure, number> = {
    timeout: 0,
    notTls: 0,
    oldProtocol: 0,
    reset: 0,
    other: 0,
  };
  /**
   * Seconds from a Data frame's dispatch to its queueing for the last recipient, for one
   * message in {@link FANOUT_SAMPLE} (a sample: its count is about dataRelayed / 16).
   */
  readonly fanoutSeconds = new BucketCounts(FANOUT_BUCKETS);
  /** Data messages seen, to pick the sampled ones. */
  fanoutTick = 0;

  /** A connection was accepted: counted open under its listener kind. */
  opened(transport: Transport): ListenerKind {
    const kind = listenerKind(transport);
    this.open[kind] += 1;
    this.accepted[kind] += 1;
    return kind;
  }
}

/** TLS sockets say `encrypted`; TCP sockets have `setNoDelay`; anything else is in memory. */
export function listenerKind(transport: Transport): ListenerKind {
  const t = transport as { encrypted?: unknown; setNoDelay?: unknown };
  if (t.encrypted === true) return 'tls';
  return typeof t.setNoDelay === 'function' ? 'tcp' : 'memory';
}

/** The label for a failed handshake's error code (see listeners.ts for the log wording). */
export function handshakeFailure(code: string): HandshakeFailure {
  switch (code) {
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return 'timeout';
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_HTTP_REQUEST':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return 'notTls';
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return 'oldProtocol';
    case 'ECONNRESET':
      return 'reset';
    default:
      return 'other';
  }
}
