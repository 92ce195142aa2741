import type { MpcrpClient } from '../../client/index.js';
import { NotOwnerError, RoomExistsError, RoomNotFoundError } from '../../errors.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import type { CommandModule } from '../command.js';
import {
  type ConnectionSettings,
  closeClient,
  explainLost,
  openConnection,
} from '../connection.js';
import { flagDuration } from '../durations.js';
import { ExitCode } from '../exit-codes.js';
import { warn, writeLine } from '../io.js';
import type { OptionTable } from '../options.js';
import { checkRoomName, roomMissing } from '../rooms.js';

const ACTIONS = ['create', 'join', 'destroy', 'list'] as const;
type Action = (typeof ACTIONS)[number];

const options: OptionTable = {
  'if-not-exists': { type: 'boolean', describe: 'create: exit 0 when the room already exists' },
  'if-exists': {
    type: 'boolean',
    describe: 'destroy, join: exit 0 when the room does not exist',
  },
  json: { type: 'boolean', describe: 'list: print a JSON array of {room, members}' },
  timeout: {
    type: 'string',
    value: 'DUR',
    default: '10s',
    describe: 'wait this long for each answer from the server (exit 124)',
  },
};

const command: CommandModule = {
  command: 'room <action> [room]',
  options,
  connects: true,
  // Scripts call `room create` in set-up steps: parse it without yargs too.
  fast: { positional: 'args' },
  builder: (y) =>
    y
      .positional('action', { choices: ACTIONS, describe: 'what to do' })
      .positional('room', { type: 'string', describe: 'the room ID (not for list)' })
      .example('$0 room create alerts -u ops --if-not-exists', 'idempotent set-up')
      .example('$0 room destroy alerts -u ops --if-exists', 'idempotent tear-down')
      .example('$0 room list --json', 'every room with its member count')
      .epilogue(
        'Rooms outlive connections: a room made here stays after the command exits, while ' +
          "the command's own membership ends with it (so join only checks that a room exists " +
          'and admits you). Ownership is by username: only a client using the name that ' +
          'created a room can destroy it, so create with an explicit -u NAME. list needs the ' +
          "server's rooms extension.",
      ),
  handler: (argv) => guarded(() => room(argv)),
};
export default command;

async function room(argv: Record<string, unknown>): Promise<number> {
  // yargs fills action and room; the fast parser leaves every positional in args.
  const positionals = Array.isArray(argv.args) ? argv.args.map(String) : [argv.action, argv.room];
  const [rawAction, rawId, ...extra] = positionals;
  if (rawAction === undefined) {
    throw usage(`room: say what to do: ${ACTIONS.join(', ')}`);
  }
  const action = String(rawAction) as Action;
  if (!ACTIONS.includes(action)) {
    throw usage(`room: unknown action '${action}' (expected one of ${ACTIONS.join(', ')})`);
  }
  if (extra.length > 0) throw usage(`room ${action}: unexpected ${extra.join(' ')}`);
  const id = typeof rawId === 'string' ? rawId : undefined;
  if (action === 'list' && id !== undefined) throw usage('room list: takes no room ID');
  if (action !== 'list') {
    if (id === undefined) throw usage(`room ${action}: say which room, e.g. room ${action} alerts`);
    checkRoomName(id);
  }
  const timeout = flagDuration(String(argv.timeout ?? '10s'), '--timeout')!;
  const { client, settings } = await openConnection(argv, {
    requestTimeout: timeout,
    negotiate: action === 'list' || action === 'destroy',
    scope: 'room',
  });
  try {
    switch (action) {
      case 'list':
        return await list(client, settings, argv.json === true);
      case 'create':
        return await create(client, settings, id!, argv);
      case 'join':
        return await join(client, settings, id!, argv['if-exists'] === true);
      case 'destroy':
        return await destroy(client, settings, id!, argv['if-exists'] === true);
    }
  } catch (error) {
    throw explainLost(error, settings.url, `room ${action}`);
  } finally {
    await closeClient(client);
  }
}

async function list(client: MpcrpClient, s: ConnectionSettings, json: boolean): Promise<number> {
  if (!client.extensions.has('rooms')) {
    throw new CliExit(
      ExitCode.RoomRejected,
      s.extensions
        ? `room list: ${s.url} does not offer a room list (it did not grant the 'rooms' extension); ask its operator, or name rooms you know with users -r ROOM`
        : 'room list: needs the rooms extension, and --extensions off turned extensions off; drop --extensions off',
    );
  }
  const rooms = await client.listRooms();
  if (json) await writeLine(JSON.stringify(rooms));
  else for (const r of rooms) await writeLine(r.room);
  return ExitCode.Ok;
}

async function create(
  client: MpcrpClient,
  s: ConnectionSettings,
  id: string,
  argv: Record<string, unknown>,
): Promise<number> {
  try {
    await client.createRoom(id);
  } catch (error) {
    if (!(error instanceof RoomExistsError)) throw error;
    if (argv['if-not-exists'] === true) return ExitCode.Ok;
    throw new CliExit(
      ExitCode.RoomRejected,
      `room create: room '${id}' already exists on ${s.url}; pass --if-not-exists to accept that`,
    );
  }
  if (s.generatedUser && !argv.quiet) {
    warn(
      `created room '${id}' as '${client.username}', a generated name: only that username can destroy it. Create rooms with -u NAME (or MPCRP_USER) to keep them manageable.`,
    );
  }
  await client.quitRoom(id).catch(() => {});
  return ExitCode.Ok;
}

async function join(
  client: MpcrpClient,
  s: ConnectionSettings,
  id: string,
  ifExists: boolean,
): Promise<number> {
  try {
    await client.joinRoom(id);
  } catch (error) {
    if (!(error instanceof RoomNotFoundError)) throw error;
    if (ifExists) return ExitCode.Ok;
    throw roomMissing(id, s.url, false);
  }
  await client.quitRoom(id).catch(() => {});
  return ExitCode.Ok;
}

async function destroy(
  client: MpcrpClient,
  s: ConnectionSettings,
  id: string,
  ifExists: boolean,
): Promise<number> {
  try {
    await client.destroyRoom(id);
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof NotOwnerError)) throw error;
  }
  // The wire says only "failed": find out whether the room is missing or someone else's.
  if (!(await exists(client, id))) {
    if (ifExists) return ExitCode.Ok;
    throw new CliExit(
      ExitCode.RoomRejected,
      `room destroy: room '${id}' does not exist on ${s.url}; pass --if-exists to accept that`,
    );
  }
  throw new CliExit(
    ExitCode.RoomRejected,
    `room destroy: room '${id}' on ${s.url} was not created by '${client.username}'; only the username that created a room can destroy it: run again with -u <that name>`,
  );
}

async function exists(client: MpcrpClient, id: string): Promise<boolean> {
  if (client.extensions.has('rooms')) {
    return (await client.listRooms()).some((r) => r.room === id);
  }
  try {
    await client.joinRoom(id);
  } catch (error) {
    if (error instanceof RoomNotFoundError) return false;
    throw error;
  }
  await client.quitRoom(id).catch(() => {});
  return true;
}
