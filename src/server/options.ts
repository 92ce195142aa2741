import net from 'node:net';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_MAX_PAYLOAD, MAX_WIRE_PAYLOAD } from '../protocol/types.js';
import type { Registry } from './registry.js';
import { type ReservedNames, reservedNamesProblems } from './reserved-names.js';
import type { ServerStats } from './stats.js';

/** Every tunable of {@link MpcrpServer}; each limit logs when it acts. */
export interface ServerOptions {
  /**
   * Largest payload, in bytes, accepted from a client; a header announcing more closes
   * that connection before any of it is buffered. The server also never sends a payload
   * above it. Default 65,536 (64 KiB); 1,024 to 16,777,215.
   */
  maxPayload?: number;
  /**
   * Slow-consumer cap: bytes queued for one connection and not yet handed to the OS
   * (the server's queue, including what was queued this turn, plus the transport's
   * `writableLength`). Past it the connection is dropped so it can neither grow memory
   * nor delay anyone else. Default 1 MiB, or 2 × maxPayload + 1 KiB when that is
   * larger; at least maxPayload + 512.
   */
  maxOutputBytes?: number;
  /** Milliseconds a connection may stay without a successful SetUserName. Default 10,000. */
  registrationTimeout?: number;
  /**
   * Frames a connection may send before a SetUserName succeeds (failed attempts count).
   * One more closes it, unless that one is a SetUserName that succeeds. Default 16.
   */
  maxFramesBeforeRegistration?: number;
  /** Connections served at once; one more is closed as soon as it is accepted. Default 10,000. */
  maxConnections?: number;
  /**
   * Connections served at once from one remote IP address; one more is closed as soon as
   * it is accepted. Addresses in `perIpExempt`, and connections with no IP address (in
   * memory), are not counted. Default 64.
   */
  maxConnectionsPerIp?: number;
  /**
   * Remote addresses `maxConnectionsPerIp` does not apply to: exact addresses
   * (`'10.0.0.5'`, `'::1'`; an IPv4-mapped `::ffff:10.0.0.5` matches `'10.0.0.5'`), or
   * `'loopback'` for every loopback address. Default `['loopback']`.
   */
  perIpExempt?: readonly string[];
  /**
   * Inbound flood control, a token bucket per connection: frames per second it may
   * sustain. Past it the server stops reading that socket (TCP pushes back on the sender)
   * until tokens return; nothing is dropped. Default 200.
   */
  frameRate?: number;
  /** Frames a connection may send at once before `frameRate` applies. Default 400. */
  frameBurst?: number;
  /**
   * Milliseconds a connection may stay throttled by flood control without catching up
   * before it is disconnected. A client that waits for each answer, or sends one burst,
   * catches up; one that keeps sending faster than `frameRate` (a bulk upload included)
   * does not, so raise `frameRate` where such clients are expected. Default 10,000.
   */
  throttleTimeout?: number;
  /**
   * Slow consumer, second rule: milliseconds a write may stay blocked (output pending and
   * no 'drain' from the transport) before the connection is dropped. Default 10,000.
   */
  writeTimeout?: number;
  /** Rooms one user may be a member of; a CreateRoom or JoinRoom past it fails. Default 100. */
  maxRoomsPerUser?: number;
  /** Rooms that may exist at once; a CreateRoom past it fails. Default 10,000. */
  maxRooms?: number;
  /**
   * Members a room may hold, so its GetUserList Response always fits in `maxPayload`
   * (a JoinRoom past it fails). Default 500, or what fits when `maxPayload` is smaller.
   */
  maxRoomMembers?: number;
  /**
   * Milliseconds a frame may take from its first byte to its last. A connection sitting
   * on part of a frame longer than that (a peer trickling a large frame, or stalling in
   * the middle of one) is closed, registered or not, and its partial frame freed. Default
   * 30,000: 64 KiB in 30 s is a 17 kbit/s link.
   */
  frameTimeout?: number;
  /**
   * Malformed frames (a Data whose room length runs past its payload, a Hello that is not
   * the JSON object extensions.md defines) a connection may send; each is dropped, and one
   * more closes the connection. 0 closes it at the first. Default 16.
   */
  maxMalformedFrames?: number;
  /** Milliseconds close() lets clients take their last bytes before cutting them off. Default 2,000. */
  closeTimeout?: number;
  /** Serve the negotiated extensions (Hello, DataFrom, Presence, ListRooms). Default true. */
  extensions?: boolean;
  /**
   * Usernames a client may take only over TLS with a verified client certificate whose CN
   * or a DNS subject alternative name equals the name; `'all'` reserves every name.
   * Anyone else gets the failure response. Default none.
   */
  reservedNames?: ReservedNames;
  /** Shared state; default a new {@link InMemoryRegistry}. */
  registry?: Registry;
  /** Where connection and limit events go; default silent. */
  logger?: Logger;
  /** Counters for the metrics endpoint (`serve --http`); default none, and nothing counted. */
  stats?: ServerStats;
}

export type ResolvedServerOptions = Required<Omit<ServerOptions, 'registry' | 'logger' | 'stats'>>;

/**
 * The defaults of {@link ServerOptions}, for docs, CLIs and tests.
 *
 * @example
 * startServer({ maxOutputBytes: 4 * DEFAULT_SERVER_OPTIONS.maxOutputBytes });
 */
export const DEFAULT_SERVER_OPTIONS: Readonly<ResolvedServerOptions> = Object.freeze({
  maxPayload: DEFAULT_MAX_PAYLOAD,
  maxOutputBytes: 1024 * 1024,
  registrationTimeout: 10_000,
  maxFramesBeforeRegistration: 16,
  maxConnections: 10_000,
  maxConnectionsPerIp: 64,
  perIpExempt: Object.freeze(['loopback']),
  frameRate: 200,
  frameBurst: 400,
  throttleTimeout: 10_000,
  writeTimeout: 10_000,
  maxRoomsPerUser: 100,
  maxRooms: 10_000,
  maxRoomMembers: 500,
  frameTimeout: 30_000,
  maxMalformedFrames: 16,
  closeTimeout: 2_000,
  extensions: true,
  reservedNames: Object.freeze([]),
});

const MIN_PAYLOAD = 1024;
/**
 * Worst-case bytes of one name in a GetUserList Response: 20 code points of 4 UTF-8 bytes,
 * two quotes and a comma. Names hold no controls, so JSON escapes at most `"` and `\`
 * (2 bytes, fewer than the 4 counted).
 */
export const LIST_BYTES_PER_MEMBER = 83;
/** Room ID (80 bytes), ':' and the brackets, plus one comma of slack. */
const LIST_OVERHEAD = 84;

/** Members whose GetUserList Response always fits in `maxPayload`. */
export function membersThatFit(maxPayload: number): number {
  return Math.floor((maxPayload - LIST_OVERHEAD) / LIST_BYTES_PER_MEMBER);
}

function integerIn(
  issues: string[],
  name: string,
  value: number,
  min: number,
  max: number,
  hint: string,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    issues.push(
      `server option ${name} must be an integer from ${min} to ${max}${hint}, got ${value}`,
    );
  }
}

/** Fills defaults and checks ranges; throws one {@link ConfigError} listing every problem. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const d = DEFAULT_SERVER_OPTIONS;
  const maxPayload = options.maxPayload ?? d.maxPayload;
  const issues: string[] = [];
  integerIn(issues, 'maxPayload', maxPayload, MIN_PAYLOAD, MAX_WIRE_PAYLOAD, ' (bytes)');
  const fit = membersThatFit(Math.max(maxPayload, MIN_PAYLOAD));
  const maxRoomMembers = options.maxRoomMembers ?? Math.min(d.maxRoomMembers, fit);
  integerIn(
    issues,
    'maxRoomMembers',
    maxRoomMembers,
    1,
    fit,
    ` (a user list of more names may not fit in maxPayload ${maxPayload}; raise maxPayload to allow more)`,
  );
  const resolved: ResolvedServerOptions = {
    maxPayload,
    maxRoomMembers,
    // A large maxPayload raises the default cap with it, so one big frame never trips it.
    maxOutputBytes: options.maxOutputBytes ?? Math.max(d.maxOutputBytes, 2 * maxPayload + 1024),
    registrationTimeout: options.registrationTimeout ?? d.registrationTimeout,
    maxFramesBeforeRegistration:
      options.maxFramesBeforeRegistration ?? d.maxFramesBeforeRegistration,
    maxConnections: options.maxConnections ?? d.maxConnections,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? d.maxConnectionsPerIp,
    perIpExempt: frozenList(options.perIpExempt ?? d.perIpExempt),
    frameRate: options.frameRate ?? d.frameRate,
    frameBurst: options.frameBurst ?? d.frameBurst,
    throttleTimeout: options.throttleTimeout ?? d.throttleTimeout,
    writeTimeout: options.writeTimeout ?? d.writeTimeout,
    maxRoomsPerUser: options.maxRoomsPerUser ?? d.maxRoomsPerUser,
    maxRooms: options.maxRooms ?? d.maxRooms,
    frameTimeout: options.frameTimeout ?? d.frameTimeout,
    maxMalformedFrames: options.maxMalformedFrames ?? d.maxMalformedFrames,
    closeTimeout: options.closeTimeout ?? d.closeTimeout,
    extensions: options.extensions ?? d.extensions,
    reservedNames:
      options.reservedNames === 'all' ? 'all' : frozenList(options.reservedNames ?? []),
  };
  // Below one largest frame (plus room for its DataFrom form) a healthy reader would be
  // dropped for a single message.
  integerIn(
    issues,
    'maxOutputBytes',
    resolved.maxOutputBytes,
    maxPayload + 512,
    2 ** 31,
    ' (bytes; at least maxPayload + 512)',
  );
  integerIn(issues, 'registrationTimeout', resolved.registrationTimeout, 1, 2 ** 31 - 1, ' (ms)');
  integerIn(issues, 'closeTimeout', resolved.closeTimeout, 0, 2 ** 31 - 1, ' (ms)');
  checkAbuseLimits(issues, resolved);
  issues.push(...reservedNamesProblems(resolved.reservedNames));
  if (typeof resolved.extensions !== 'boolean') {
    issues.push(`server option extensions must be true or false, got ${resolved.extensions}`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}

const MAX_COUNT = 2 ** 31 - 1;

/** A frozen copy, so the caller's array can change without changing the server. */
function frozenList(list: readonly string[]): readonly string[] {
  return Array.isArray(list) ? Object.freeze([...list]) : list;
}

/** The connection, flood and room caps: all integers, all at least 1. */
function checkAbuseLimits(issues: string[], o: ResolvedServerOptions): void {
  integerIn(issues, 'maxFramesBeforeRegistration', o.maxFramesBeforeRegistration, 1, MAX_COUNT, '');
  integerIn(issues, 'maxConnections', o.maxConnections, 1, MAX_COUNT, '');
  integerIn(issues, 'maxConnectionsPerIp', o.maxConnectionsPerIp, 1, MAX_COUNT, '');
  integerIn(issues, 'frameRate', o.frameRate, 1, 1_000_000, ' (frames per second)');
  integerIn(issues, 'frameBurst', o.frameBurst, 1, MAX_COUNT, ' (frames)');
  integerIn(issues, 'throttleTimeout', o.throttleTimeout, 1, MAX_COUNT, ' (ms)');
  integerIn(issues, 'writeTimeout', o.writeTimeout, 1, MAX_COUNT, ' (ms)');
  integerIn(issues, 'maxRoomsPerUser', o.maxRoomsPerUser, 1, MAX_COUNT, '');
  integerIn(issues, 'maxRooms', o.maxRooms, 1, MAX_COUNT, '');
  integerIn(issues, 'frameTimeout', o.frameTimeout, 1, MAX_COUNT, ' (ms)');
  integerIn(issues, 'maxMalformedFrames', o.maxMalformedFrames, 0, MAX_COUNT, '');
  if (
    !Array.isArray(o.perIpExempt) ||
    !o.perIpExempt.every((a) => a === 'loopback' || net.isIP(a) !== 0)
  ) {
    issues.push(
      `server option perIpExempt must list IP addresses or 'loopback', got ${JSON.stringify(o.perIpExempt)}`,
    );
  }
}
