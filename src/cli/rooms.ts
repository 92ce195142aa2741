import type { MpcrpClient } from '../client/index.js';
import { RoomExistsError, RoomNotFoundError } from '../errors.js';
import { nameProblem } from '../protocol/names.js';
import { CliExit, usage } from './cli-exit.js';
import { ExitCode } from './exit-codes.js';

/** Room IDs from repeatable `-r`, de-duplicated and checked before anything connects. */
export function roomsFrom(value: unknown, command: string): string[] {
  const list = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
  if (list.length === 0) {
    throw usage(`${command}: say which room with -r ROOM (repeat -r for several rooms)`);
  }
  for (const room of list) checkRoomName(room);
  return [...new Set(list)];
}

export function checkRoomName(room: string): void {
  const problem = nameProblem('room', room);
  if (problem !== undefined) {
    throw new CliExit(
      ExitCode.RoomRejected,
      `invalid room ID ${JSON.stringify(room)}: ${problem} (a room ID is 1 to 20 characters without white space, control characters or ':')`,
    );
  }
}

/** `withCreate`: the command takes --create, so the hint may offer it. */
export function roomMissing(room: string, url: string, withCreate = true): CliExit {
  const how = withCreate
    ? `create it with --create or \`mpcrp-bot room create ${room}\``
    : `create it with \`mpcrp-bot room create ${room}\``;
  return new CliExit(ExitCode.RoomRejected, `room '${room}' does not exist on ${url}; ${how}`);
}

/**
 * Joins each room, creating the missing ones when `create` is set. All requests go out at
 * once, so several rooms cost one round trip.
 */
export async function enterRooms(
  client: MpcrpClient,
  rooms: readonly string[],
  options: { create: boolean; url: string },
): Promise<void> {
  const enter = async (room: string) => {
    try {
      await client.joinRoom(room);
      return;
    } catch (error) {
      if (!(error instanceof RoomNotFoundError)) throw error;
      if (!options.create) throw roomMissing(room, options.url);
    }
    try {
      await client.createRoom(room);
    } catch (error) {
      if (!(error instanceof RoomExistsError)) throw error;
      // Someone created it between our two requests, or it exists and refused the join.
      try {
        await client.joinRoom(room);
      } catch {
        throw new CliExit(
          ExitCode.RoomRejected,
          `room '${room}' exists on ${options.url} but refused to let ${client.username} join (it may be full); try again later or use another room`,
        );
      }
    }
  };
  const results = await Promise.allSettled(rooms.map(enter));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Leaves every room this client is in; best effort, for a clean exit. */
export async function leaveRooms(client: MpcrpClient): Promise<void> {
  if (client.closed) return;
  await Promise.allSettled([...client.rooms].map((room) => client.quitRoom(room)));
}
