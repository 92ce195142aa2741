import type { MpcrpClient } from '../../client/index.js';
import { ConnectionClosedError, TimeoutError } from '../../errors.js';
import { DEFAULT_MAX_PAYLOAD } from '../../protocol/types.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import type { CommandModule } from '../command.js';
import { closeClient, openConnection } from '../connection.js';
import { flagDuration } from '../durations.js';
import { ExitCode } from '../exit-codes.js';
import type { OptionTable } from '../options.js';
import { enterRooms, leaveRooms, roomsFrom } from '../rooms.js';

/** In --lines mode, a round trip every this many lines bounds what is unconfirmed. */
const CONFIRM_EVERY = 256;

const options: OptionTable = {
  room: {
    type: 'string',
    alias: 'r',
    array: true,
    value: 'ROOM',
    describe: 'room to send to; repeat for several rooms (required)',
  },
  message: {
    type: 'string',
    alias: 'm',
    value: 'TEXT',
    describe: 'the message text',
    // An empty message is bad input (exit 8), like an empty file.
    allowEmpty: true,
  },
  file: {
    type: 'string',
    alias: 'f',
    value: 'FILE',
    describe: 'read the message from FILE (- for stdin)',
  },
  lines: {
    type: 'boolean',
    alias: 'l',
    describe:
      'send each line of stdin (or -f FILE) as its own message as it arrives; blank lines are skipped',
  },
  create: { type: 'boolean', describe: 'create a room that does not exist (otherwise: exit 5)' },
  split: {
    type: 'boolean',
    describe: 'send text too long for one frame as several messages (otherwise: exit 8)',
  },
  timeout: {
    type: 'string',
    value: 'DUR',
    default: '10s',
    describe: 'wait this long for each answer from the server, including the delivery confirmation',
  },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface Plan {
  rooms: string[];
  create: boolean;
  /** splitText when --split is given (loaded only then), else undefined. */
  split: ((text: string, limit: number) => string[]) | undefined;
  timeout: number;
}

// input.js (node:tty, file streams) and split-text.js are loaded only by the runs that
// read stdin or a file, or split: a message given as arguments needs neither.
const input = () => import('../input.js');

const command: CommandModule = {
  command: 'send [text..]',
  options,
  connects: true,
  fast: { positional: 'text' },
  builder: (y) =>
    y
      .positional('text', {
        type: 'string',
        array: true,
        describe: 'the message (words are joined by spaces)',
      })
      .example('$0 send -r alerts "disk almost full"', 'send one message')
      .example('df -h | $0 send -r ops --split', 'send stdin as one message')
      .example('tail -F app.log | $0 send -r logs -l', 'one message per line, as lines arrive')
      .epilogue(
        'Text comes from the arguments, -m, -f, or stdin when none is given and stdin is not a ' +
          'terminal. One final line break is dropped. Exit 0 means the server confirmed it relayed ' +
          'every message (one round trip after the last one).',
      ),
  handler: (argv) => guarded(() => send(argv)),
};
export default command;

async function send(argv: Record<string, unknown>): Promise<number> {
  const plan: Plan = {
    rooms: roomsFrom(argv.room, 'send'),
    create: argv.create === true,
    split:
      argv.split === true
        ? await import('../../protocol/split-text.js').then(
            ({ splitText }) =>
              // Lossless: the pieces join back to the exact text.
              (text: string, limit: number) =>
                splitText(text, limit, { keepBreaks: true }),
          )
        : undefined,
    timeout: flagDuration(str(argv.timeout) ?? '10s', '--timeout')!,
  };
  const words = Array.isArray(argv.text) ? argv.text.map(String) : [];
  const message = str(argv.message);
  const file = str(argv.file);
  const given = [words.length > 0, message !== undefined, file !== undefined].filter(Boolean);
  if (given.length > 1) {
    throw usage('send: give the text one way only: as arguments, with -m TEXT, or with -f FILE');
  }
  const lines = argv.lines === true;
  if (lines && (words.length > 0 || message !== undefined)) {
    throw usage('send: -l/--lines reads stdin or -f FILE; drop the text arguments and -m');
  }
  if (given.length === 0 && (await input()).stdinIsTerminal()) {
    throw usage(
      'send: no text to send: give it as arguments, with -m TEXT or -f FILE, or pipe it on stdin (a terminal is never read)',
    );
  }
  if (lines) return sendLines(argv, plan, file);

  let text = message ?? words.join(' ');
  if (message === undefined && words.length === 0) {
    const { readText, withoutFinalNewline } = await input();
    text = withoutFinalNewline(await readText(file));
  }
  if (text === '') {
    throw new CliExit(
      ExitCode.BadInput,
      'send: nothing to send, the message is empty (an empty file or stdin?)',
    );
  }
  const pieces = new Map(plan.rooms.map((room) => [room, piecesFor(text, room, plan.split)]));

  const { client, settings } = await openConnection(argv, {
    requestTimeout: plan.timeout,
    negotiate: false,
    scope: 'send',
  });
  try {
    await enterRooms(client, plan.rooms, { create: plan.create, url: settings.url });
    for (const [room, list] of pieces) for (const piece of list) client.send(room, piece);
    await confirm(client);
    return ExitCode.Ok;
  } catch (error) {
    throw explain(error, settings.url, plan.timeout);
  } finally {
    await closeClient(client);
  }
}

function limitFor(room: string): number {
  return DEFAULT_MAX_PAYLOAD - 1 - Buffer.byteLength(room);
}

function piecesFor(
  text: string,
  room: string,
  split: Plan['split'],
  what = 'the message',
): string[] {
  const limit = limitFor(room);
  const bytes = Buffer.byteLength(text);
  if (bytes <= limit) return [text];
  if (split === undefined) {
    throw new CliExit(
      ExitCode.BadInput,
      `send: ${what} is ${bytes} bytes, more than fits in one frame to room '${room}' (${limit} bytes); pass --split to send it as several messages, or shorten it`,
    );
  }
  return split(text, limit);
}

/** The server answers in order: once the ping is answered, everything before it was relayed. */
async function confirm(client: MpcrpClient): Promise<void> {
  const quits = leaveRooms(client);
  await client.ping();
  await quits;
}

function explain(error: unknown, url: string, timeout: number): unknown {
  if (error instanceof TimeoutError) {
    return new CliExit(
      ExitCode.NotConfirmed,
      `send: ${url} did not answer ${error.operation} within ${timeout} ms, so delivery is not confirmed; the message may or may not have been relayed (raise --timeout if the server is slow)`,
    );
  }
  if (error instanceof ConnectionClosedError) {
    return new CliExit(
      ExitCode.ConnectionLost,
      `send: connection to ${url} lost before the server confirmed delivery (${error.message}); the message may not have been relayed, send it again`,
    );
  }
  return error;
}

async function sendLines(
  argv: Record<string, unknown>,
  plan: Plan,
  file: string | undefined,
): Promise<number> {
  const { readLines, releaseStdin } = await input();
  const { client, settings } = await openConnection(argv, {
    requestTimeout: plan.timeout,
    negotiate: false,
    scope: 'send',
  });
  // A dropped connection must not wait for the next line (tail -f may never send one).
  const onClose = () => releaseStdin();
  client.once('close', onClose);
  let sent = 0;
  let lineNo = 0;
  try {
    await enterRooms(client, plan.rooms, { create: plan.create, url: settings.url });
    for await (const line of readLines(file)) {
      lineNo += 1;
      if (line === '') continue;
      for (const room of plan.rooms) {
        for (const piece of piecesFor(line, room, plan.split, `line ${lineNo}`)) {
          client.send(room, piece);
        }
      }
      sent += 1;
      if (sent % CONFIRM_EVERY === 0) await client.ping();
    }
    if (client.closed) throw new ConnectionClosedError('the server closed the connection');
    await confirm(client);
    return ExitCode.Ok;
  } catch (error) {
    if (client.closed && !(error instanceof ConnectionClosedError)) {
      throw explain(
        new ConnectionClosedError('the server closed the connection'),
        settings.url,
        plan.timeout,
      );
    }
    if (error instanceof CliExit && error.exitCode === ExitCode.BadInput && !client.closed) {
      // What was sent before the bad line still deserves its confirmation.
      await confirm(client).catch(() => {});
    }
    throw explain(error, settings.url, plan.timeout);
  } finally {
    client.off('close', onClose);
    releaseStdin();
    await closeClient(client);
  }
}
