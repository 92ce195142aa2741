import type { RoomMessage } from '../../client/index.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import type { CommandModule } from '../command.js';
import { closeClient, openConnection } from '../connection.js';
import { flagDuration } from '../durations.js';
import { execForMessage } from '../exec.js';
import { ExitCode } from '../exit-codes.js';
import { formatMessage, OUTPUT_FORMATS, type OutputFormat } from '../format.js';
import { warn, writeLine } from '../io.js';
import type { OptionTable } from '../options.js';
import { enterRooms, roomsFrom } from '../rooms.js';
import { onStopSignals } from '../signals.js';

const options: OptionTable = {
  room: {
    type: 'string',
    alias: 'r',
    array: true,
    value: 'ROOM',
    describe: 'room to listen to; repeat for several rooms (required)',
  },
  count: {
    type: 'number',
    alias: 'C',
    value: 'N',
    describe: 'exit 0 after N messages',
  },
  timeout: {
    type: 'string',
    alias: 'W',
    value: 'DUR',
    describe: 'exit 124 after this long (e.g. 30s, 5m) unless stopped before',
  },
  until: {
    type: 'string',
    value: 'REGEX',
    describe: 'exit 0 after the first message whose text matches REGEX (JavaScript syntax)',
    // An empty pattern matches any message: a legitimate "wait for the first one".
    allowEmpty: true,
  },
  output: {
    type: 'string',
    alias: 'o',
    choices: OUTPUT_FORMATS,
    default: 'text',
    describe: 'text: [room] sender: text; json: one object per line; raw: the text alone',
  },
  exec: {
    type: 'string',
    value: 'CMD',
    describe:
      'run CMD (through sh) for each message instead of printing it, one at a time in order; text on stdin, MPCRP_ROOM and MPCRP_SENDER set',
  },
  create: { type: 'boolean', describe: 'create a room that does not exist (otherwise: exit 5)' },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface ListenPlan {
  rooms: string[];
  count: number | undefined;
  timeout: number | undefined;
  until: RegExp | undefined;
  output: OutputFormat;
  exec: string | undefined;
  create: boolean;
}

const command: CommandModule = {
  command: 'listen',
  options,
  connects: true,
  fast: {},
  builder: (y) =>
    y
      .example('$0 listen -r alerts', 'print messages until Ctrl-C')
      .example('$0 listen -r ci --until "^deployed" -W 10m', 'wait for a message, at most 10 min')
      .example('$0 listen -r logs -o json | jq -r .text', 'structured output')
      .example('$0 listen -r ops --exec ./on-message.sh', 'run a script per message')
      .epilogue(
        'Prints each message as it arrives, one per line on stdout (flushed per line); ' +
          'status goes to stderr. The sender is shown when the server grants the sender ' +
          'extension. Exit 0 on -C/--until, 124 on -W, 130 on Ctrl-C, 6 if the server ' +
          'goes away.',
      ),
  handler: (argv) => guarded(() => listen(argv)),
};
export default command;

/** Messages waiting for output or --exec before reading from the server pauses. */
const PAUSE_AT = 256;
const RESUME_BELOW = 64;

function planFrom(argv: Record<string, unknown>): ListenPlan {
  const rooms = roomsFrom(argv.room, 'listen');
  let count: number | undefined;
  if (argv.count !== undefined) {
    count = Number(argv.count);
    if (!Number.isInteger(count) || count < 1) {
      throw usage(`listen: -C/--count must be a whole number of messages ≥ 1, got ${argv.count}`);
    }
  }
  const timeoutText = str(argv.timeout);
  const timeout = flagDuration(timeoutText, '--timeout');
  let until: RegExp | undefined;
  const pattern = str(argv.until);
  if (pattern !== undefined) {
    try {
      until = new RegExp(pattern);
    } catch (error) {
      throw usage(
        `listen: --until ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message})`,
      );
    }
  }
  const output = (str(argv.output) ?? 'text') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(output)) {
    throw usage(`listen: -o/--output must be one of ${OUTPUT_FORMATS.join(', ')}, got ${output}`);
  }
  return {
    rooms,
    count,
    timeout,
    until,
    output,
    exec: str(argv.exec),
    create: argv.create === true,
  };
}

async function listen(argv: Record<string, unknown>): Promise<number> {
  const plan = planFrom(argv);
  const { client, settings, log } = await openConnection(argv, {
    requestTimeout: 10_000,
    negotiate: true,
    scope: 'listen',
  });
  let received = 0;
  let stopped = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => {
    finish = (code) => {
      stopped = true;
      resolve(code);
    };
  });
  // Messages are handled one at a time, in arrival order (output, then --exec). A slow
  // stdout reader or --exec command pauses the socket instead of growing this queue.
  let chain = Promise.resolve();
  let queued = 0;
  let paused = false;
  const settled = () => {
    queued -= 1;
    if (paused && queued <= RESUME_BELOW) {
      paused = false;
      client.resume();
    }
  };
  const handle = async (message: RoomMessage) => {
    if (stopped) return;
    if (plan.exec !== undefined) {
      const result = await execForMessage(plan.exec, message);
      if (result.status !== 0) {
        warn(
          `listen: --exec command ${result.problem ?? `exited with status ${result.status}`} for a message in room '${message.room}'; continuing`,
        );
      }
    } else {
      await writeLine(formatMessage(message, plan.output));
    }
    received += 1;
    if (plan.until?.test(message.text)) finish(ExitCode.Ok);
    else if (plan.count !== undefined && received >= plan.count) finish(ExitCode.Ok);
  };
  const onMessage = (message: RoomMessage) => {
    queued += 1;
    if (!paused && queued >= PAUSE_AT) {
      paused = true;
      client.pause();
    }
    chain = chain.then(() => handle(message)).finally(settled);
  };
  const onClose = (error: Error | undefined) => {
    if (stopped) return;
    warn(
      `listen: connection to ${settings.url} lost (${error?.message ?? 'closed'}) after ${received} message(s); run listen again to resume (messages sent meanwhile are not replayed)`,
    );
    finish(ExitCode.ConnectionLost);
  };
  client.on('message', onMessage);
  client.on('close', onClose);
  const disposeSignals = onStopSignals((code) => finish(code));
  let timer: NodeJS.Timeout | undefined;
  try {
    await enterRooms(client, plan.rooms, { create: plan.create, url: settings.url });
    log.debug('joined', { rooms: plan.rooms.join(',') });
    if (!argv.quiet) {
      warn(
        `listening to ${plan.rooms.map((r) => `'${r}'`).join(', ')} on ${settings.url} as ${client.username}`,
      );
    }
    if (plan.timeout !== undefined) {
      const ms = plan.timeout;
      timer = setTimeout(() => {
        const what = plan.until
          ? `no message matched --until ${plan.until} within ${ms} ms`
          : plan.count !== undefined
            ? `${received} of ${plan.count} message(s) within ${ms} ms`
            : undefined;
        if (what !== undefined) warn(`listen: timed out: ${what}`);
        finish(ExitCode.TimedOut);
      }, ms);
    }
    const code = await finished;
    await chain;
    return code;
  } catch (error) {
    if (stopped && !(error instanceof CliExit)) return finished;
    throw error;
  } finally {
    clearTimeout(timer);
    disposeSignals();
    client.off('message', onMessage);
    client.off('close', onClose);
    await closeClient(client);
  }
}
