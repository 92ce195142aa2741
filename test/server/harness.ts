import { afterEach } from 'vitest';
import { createLogger, type Logger } from '../../src/log.js';
import { MessageType } from '../../src/protocol/types.js';
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
} from '../../src/server/index.js';
import { RawClient } from '../helpers/raw-client.js';

export const T = MessageType;

export interface Harness {
  running: RunningServer;
  /** Log lines the server wrote (level debug and up). */
  logs: string[];
  /** A connected raw client. */
  connect(): Promise<RawClient>;
  /** A connected client registered as `name`. */
  user(name: string): Promise<RawClient>;
  /** A registered client that created `room`. */
  owner(name: string, room: string): Promise<RawClient>;
  /** A registered client that joined `room`. */
  member(name: string, room: string): Promise<RawClient>;
}

/**
 * Starts what `serve` serves: one server by default. test/cluster swaps in nodes of one
 * cluster, and `connect` then spreads clients over them in turn, so the same suites
 * check that several nodes behave as one server.
 */
export type Launch = (options: StartServerOptions, logger: Logger) => Promise<RunningServer[]>;

let launch: Launch = async (options, logger) => [
  await startServer({ logger, ...options, host: '127.0.0.1', port: 0 }),
];

/** Replaces how `serve` starts servers, for every test of the calling file. */
export function useLaunch(how: Launch): void {
  launch = how;
}

const running: RunningServer[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** Starts a real server on 127.0.0.1, port 0; everything is closed after the test. */
export async function serve(options: StartServerOptions = {}): Promise<Harness> {
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const servers = await launch(options, logger);
  running.push(...servers);
  const server = servers[0]!;
  let turn = 0;
  const connect = async () => {
    const c = await RawClient.connect(servers[turn++ % servers.length]!.port);
    clients.push(c);
    return c;
  };
  const user = async (name: string) => (await connect()).register(name);
  return {
    running: server,
    logs,
    connect,
    user,
    owner: async (name, room) => {
      const c = await user(name);
      const result = await c.command(T.CreateRoom, room);
      if (result !== `${room}:0`) throw new Error(`CreateRoom ${room} failed: ${result}`);
      return c;
    },
    member: async (name, room) => {
      const c = await user(name);
      const result = await c.command(T.JoinRoom, room);
      if (result !== `${room}:0`) throw new Error(`JoinRoom ${room} failed: ${result}`);
      return c;
    },
  };
}

/** Data payload bytes: room length, room, text. */
export function dataPayload(room: string, message: string): Buffer {
  const r = Buffer.from(room);
  return Buffer.concat([Buffer.from([r.length]), r, Buffer.from(message)]);
}

/** Parses a Data (13) frame's payload. */
export function parseData(payload: Buffer): { room: string; text: string } {
  const n = payload[0]!;
  return { room: payload.toString('utf8', 1, 1 + n), text: payload.toString('utf8', 1 + n) };
}

/**
 * GetUserList round trips until the list equals `expected` (at most 1000), for changes
 * another connection causes asynchronously, such as a disconnect. Returns the last list.
 */
export async function membersOnceSettled(
  c: RawClient,
  room: string,
  expected: readonly string[],
): Promise<unknown> {
  let list: unknown = await c.userList(room);
  for (let i = 0; i < 1000 && JSON.stringify(list) !== JSON.stringify(expected); i++) {
    list = await c.userList(room);
  }
  return list;
}
