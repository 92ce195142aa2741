import type { MpcrpClient } from '../client/index.js';
import { RoomExistsError, RoomNotFoundError } from '../errors.js';

/** Join/create races tolerated before giving up on a room for this session. */
const MAX_RACES = 3;

/**
 * Joins `room`, creating it when it does not exist. When someone else creates it between
 * our failed join and our create, joins again.
 */
export async function enterRoom(client: MpcrpClient, room: string): Promise<'joined' | 'created'> {
  for (let i = 0; ; i += 1) {
    try {
      await client.joinRoom(room);
      return 'joined';
    } catch (error) {
      if (!(error instanceof RoomNotFoundError)) throw error;
    }
    try {
      await client.createRoom(room);
      return 'created';
    } catch (error) {
      if (!(error instanceof RoomExistsError) || i + 1 >= MAX_RACES) throw error;
    }
  }
}
