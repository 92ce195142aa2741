import { setTimeout as delay } from 'node:timers/promises';
import type { MpcrpClient } from '../../client/index.js';
import { NotMemberError, RoomNotFoundError } from '../../errors.js';
import { nameProblem } from '../../protocol/names.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import type { CommandModule } from '../command.js';
import { closeClient, explainLost, openConnection } from '../connection.js';
import { flagDuration } from '../durations.js';
import { ExitCode } from '../exit-codes.js';
import { writeLine } from '../io.js';
import type { OptionTable } from '../options.js';
import { checkRoomName, roomMissing } from '../rooms.js';

/** Without the presence extension, --wait-for asks for the user list this often. */
const POLL_MS = 200;

const options: OptionTable = {
  room: { type: 'string', alias: 'r', value: 'ROOM', describe: 'the room (required)' },
  json: { type: 'boolean', describe: "print a JSON array in the server's (join) order" },
  'wait-for': {
    type: 'string',
    value: 'NAME',
    describe: 'wait until NAME is in the room (and the room exists), then print the list',
  },
  timeout: {
    type: 'string',
    value: 'DUR',
    describe: 'give up after this long: exit 124 (default 10s, with --wait-for 30s)',
  },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const command: CommandModule = {
  command: 'users',
  options,
  connects: true,
  fast: {},
  builder: (y) =>
    y
      .example('$0 users -r lobby', 'one name per line')
      .example('$0 users -r lobby --json | jq length', 'how many others are in lobby')
      .example('$0 users -r lobby --wait-for greeter --timeout 30s', 'wait until a bot is ready')
      .epilogue(
        "The server shows a room's members only to members, so this command joins the room, " +
          'asks, and quits again; its own name is left out of the list. With --wait-for it polls ' +
          '(or follows presence events when the server grants them) until the user shows up.',
      ),
  handler: (argv) => guarded(() => users(argv)),
};
export default command;

async function users(argv: Record<string, unknown>): Promise<number> {
  const room = str(argv.room);
  if (room === undefined) throw usage('users: say which room with -r ROOM');
  checkRoomName(room);
  const waitFor = str(argv['wait-for']);
  if (waitFor !== undefined) {
    const problem = nameProblem('username', waitFor);
    if (problem)
      throw usage(`users: --wait-for ${JSON.stringify(waitFor)} is not a username: ${problem}`);
  }
  const timeout = flagDuration(str(argv.timeout) ?? (waitFor ? '30s' : '10s'), '--timeout')!;
  const { client, settings } = await openConnection(argv, {
    requestTimeout: timeout,
    negotiate: waitFor !== undefined,
    scope: 'users',
  });
  try {
    let list: string[];
    if (waitFor === undefined) {
      try {
        await client.joinRoom(room);
      } catch (error) {
        throw error instanceof RoomNotFoundError ? roomMissing(room, settings.url, false) : error;
      }
      list = await client.getUserList(room);
    } else {
      list = await waitForUser(client, room, waitFor, timeout, settings.url);
    }
    await client.quitRoom(room).catch(() => {});
    const others = list.filter((name) => name !== client.username);
    if (argv.json) await writeLine(JSON.stringify(others));
    else for (const name of others) await writeLine(name);
    return ExitCode.Ok;
  } catch (error) {
    throw explainLost(error, settings.url, 'users');
  } finally {
    await closeClient(client);
  }
}

async function waitForUser(
  client: MpcrpClient,
  room: string,
  name: string,
  timeout: number,
  url: string,
): Promise<string[]> {
  const deadline = Date.now() + timeout;
  const pushed = client.extensions.has('presence');
  let wake = new AbortController();
  const onPresence = (event: { room: string; user: string; event: string }) => {
    if (event.room === room && event.user === name) wake.abort();
  };
  client.on('presence', onPresence);
  let joined = false;
  try {
    for (;;) {
      // Made before asking, so a join announced while we ask still wakes the wait below.
      wake = new AbortController();
      if (!joined) {
        try {
          await client.joinRoom(room);
          joined = true;
        } catch (error) {
          if (!(error instanceof RoomNotFoundError)) throw error;
        }
      }
      if (joined) {
        try {
          const list = await client.getUserList(room);
          if (list.includes(name)) return list;
        } catch (error) {
          // The room was destroyed (and maybe made again) while we waited: join anew.
          if (!(error instanceof RoomNotFoundError || error instanceof NotMemberError)) throw error;
          joined = false;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CliExit(
          ExitCode.TimedOut,
          joined
            ? `users: '${name}' did not join room '${room}' on ${url} within ${timeout} ms (is it running? check its log, or raise --timeout)`
            : `users: room '${room}' did not appear on ${url} within ${timeout} ms, so neither did '${name}' (is it running? check its log, or raise --timeout)`,
        );
      }
      // With presence a join wakes us at once; the poll stays as a safety net.
      await delay(Math.min(left, pushed && joined ? POLL_MS * 5 : POLL_MS), undefined, {
        signal: wake.signal,
      }).catch(() => {});
    }
  } finally {
    client.off('presence', onPresence);
  }
}
