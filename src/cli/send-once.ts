import { ConnectionClosedError, NameTakenError, TimeoutError } from '../errors.js';
import { encodeData, encodeFrame } from '../protocol/codec.js';
import { MessageType } from '../protocol/types.js';
import { CliExit } from './cli-exit.js';
import { type ConnectionSettings, handshakeFailure } from './connection.js';
import { ExitCode } from './exit-codes.js';
import { OrderedSession } from './ordered-session.js';
import { roomMissing } from './rooms.js';

/** What `send` delivers once: the messages (pieces of text) for each room. */
export interface SendOnce {
  settings: ConnectionSettings;
  /** Pieces of text per room, in order. */
  pieces: ReadonlyMap<string, readonly string[]>;
  create: boolean;
  /** Milliseconds to wait for each answer after SetUserName's. */
  timeout: number;
  /** Logs of -v (`debug`), when asked for. */
  log?: { debug(message: string, fields?: Record<string, unknown>): void } | undefined;
  onFrame?:
    | ((direction: 'in' | 'out', frame: { type: number; payload: Buffer }) => void)
    | undefined;
}

/** Names tried with --on-name-taken suffix before giving up: NAME, NAME-2 ... NAME-10. */
const SUFFIX_ATTEMPTS = 10;
/**
 * Requests that may follow SetUserName before its answer. Sent by a user the server then
 * refused, they count against its frames-before-SetUserName cap (default 16), so the nine
 * renames --on-name-taken suffix may still need must fit after them.
 */
const MAX_BEFORE_NAME = 7;
/** Data frames that may follow SetUserName and JoinRoom before their answers. */
const EAGER_DATA = 4;
/** Room ID of the confirming round trip: a GetUserList nobody is in. */
const PROBE_ROOM = '~probe';

const PING = encodeFrame(MessageType.GetUserList, PROBE_ROOM);

/**
 * Claims the name, enters the rooms and sends the messages with as few round trips as the
 * answers allow, then confirms delivery with one more request: the server answers in
 * order, so its answer means everything before it was relayed. In the common case (one
 * room that exists, a free name, a short message) everything goes in one write and costs
 * one round trip; QuitRoom is never sent, closing the connection leaves the rooms.
 *
 * Nothing takes effect before it should: a request that follows a SetUserName the server
 * refuses fails (JoinRoom) or is dropped (Data), and a Data that follows a JoinRoom the
 * server refuses is dropped; so an unknown room still exits 5 with nothing relayed. Data
 * rides along only with a single room: with several, one missing room must stop the
 * message reaching the others.
 */
export async function sendOnce(job: SendOnce): Promise<void> {
  const { settings: s } = job;
  const rooms = [...job.pieces.keys()];
  const data = [...job.pieces].flatMap(([room, list]) => list.map((p) => encodeData(room, p)));
  const started = Date.now();
  job.log?.debug('connecting', { url: s.url, user: s.user });
  const session = await OrderedSession.open(s.url, {
    connectTimeout: s.connectTimeout,
    tls: s.tls,
    onFrame: job.onFrame,
  });
  let done = false;
  try {
    const name = (n: string) => encodeFrame(MessageType.SetUserName, n);
    const joins = rooms.map((room) => encodeFrame(MessageType.JoinRoom, room));
    const eager = rooms.length === 1 && data.length <= EAGER_DATA;
    const afterName = eager ? [...joins, ...data, PING] : joins;
    const ride = afterName.length <= MAX_BEFORE_NAME;
    session.write(ride ? [name(s.user), ...afterName] : [name(s.user)]);

    const { user, first } = await claimName(session, s, started, ride ? afterName : []);
    if (!(ride && first)) session.write(afterName);
    job.log?.debug('connected', { url: s.url, user, extensions: 'none' });

    const missing: string[] = [];
    for (const room of rooms) {
      if (!(await roomAnswer(session, MessageType.JoinRoomResponse, room, job.timeout))) {
        missing.push(room);
      }
    }
    if (eager && missing.length === 0) {
      await ping(session, job.timeout);
    } else {
      // The Data sent along, if any, was dropped (not yet a member): it goes again below.
      if (eager) await ping(session, job.timeout);
      if (missing.length > 0) {
        if (!job.create) throw roomMissing(missing[0]!, s.url);
        await createRooms(session, s, user, missing, job.timeout);
      }
      session.write([...data, PING]);
      await ping(session, job.timeout);
    }
    done = true;
  } finally {
    if (done) session.close();
    else session.destroy();
  }
}

/**
 * The answer to the SetUserName already written, then, with --on-name-taken suffix, to
 * NAME-2 ... NAME-10 one at a time. `riders` are the requests that followed the first
 * one: when it is refused they all failed, and their answers are read and dropped.
 * Resolves to the name the server accepted (`first`: at the first try); handshake failures
 * are CliExits (exit 3 or 4).
 */
async function claimName(
  session: OrderedSession,
  s: ConnectionSettings,
  started: number,
  riders: readonly Buffer[],
): Promise<{ user: string; first: boolean }> {
  let name = s.user;
  try {
    for (let attempt = 1; ; attempt += 1) {
      const left = Math.max(s.connectTimeout - (Date.now() - started), 1);
      const frame = await session.answer(
        MessageType.SetUserNameResponse,
        undefined,
        'SetUserName',
        left,
      );
      if (frame.payload.length === 1 && frame.payload[0] === 0x30) {
        return { user: name, first: attempt === 1 };
      }
      if (s.onNameTaken !== 'suffix' || attempt >= SUFFIX_ATTEMPTS) {
        throw new NameTakenError(name);
      }
      if (attempt === 1) await skipAnswers(session, riders, s.connectTimeout);
      const { suffixedName } = await import('./identity.js');
      name = suffixedName(s.user, attempt + 1);
      session.write([encodeFrame(MessageType.SetUserName, name)]);
    }
  } catch (error) {
    if (
      error instanceof NameTakenError ||
      error instanceof ConnectionClosedError ||
      (error instanceof TimeoutError && error.operation === 'SetUserName')
    ) {
      throw await handshakeFailure(error, s);
    }
    throw error;
  }
}

/** Reads and drops the answers to `frames` (JoinRoom and the ping; Data has none). */
async function skipAnswers(
  session: OrderedSession,
  frames: readonly Buffer[],
  ms: number,
): Promise<void> {
  for (const f of frames) {
    if (f[0] === MessageType.JoinRoom) {
      await session.answer(MessageType.JoinRoomResponse, roomOf(f), 'SetUserName', ms);
    } else if (f[0] === MessageType.GetUserList) {
      await session.answer(MessageType.GetUserListResponse, PROBE_ROOM, 'SetUserName', ms);
    }
  }
}

function roomOf(frame: Buffer): string {
  return frame.toString('utf8', 4);
}

/** `room:0` (true) or `room:1` (false), the answer to a room command. */
async function roomAnswer(
  session: OrderedSession,
  type: number,
  room: string,
  ms: number,
): Promise<boolean> {
  const frame = await session.answer(type, room, `room ${room}`, ms);
  return frame.payload[frame.payload.length - 1] === 0x30;
}

async function ping(session: OrderedSession, ms: number): Promise<void> {
  await session.answer(MessageType.GetUserListResponse, PROBE_ROOM, 'ping', ms);
}

/**
 * --create: creates the rooms the server said were missing, all in one write; a room
 * someone else created in between is joined instead.
 */
async function createRooms(
  session: OrderedSession,
  s: ConnectionSettings,
  user: string,
  rooms: readonly string[],
  ms: number,
): Promise<void> {
  session.write(rooms.map((room) => encodeFrame(MessageType.CreateRoom, room)));
  const taken: string[] = [];
  for (const room of rooms) {
    if (!(await roomAnswer(session, MessageType.CreateRoomResponse, room, ms))) taken.push(room);
  }
  if (taken.length === 0) return;
  session.write(taken.map((room) => encodeFrame(MessageType.JoinRoom, room)));
  for (const room of taken) {
    if (!(await roomAnswer(session, MessageType.JoinRoomResponse, room, ms))) {
      throw new CliExit(
        ExitCode.RoomRejected,
        `room '${room}' exists on ${s.url} but refused to let ${user} join (it may be full); try again later or use another room`,
      );
    }
  }
}
