import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { RoomMessage } from '../../client/index.js';
import type { PresenceEvent } from '../../protocol/types.js';
import { ChatSession } from '../chat-session.js';
import { guarded } from '../cli-exit.js';
import type { CommandModule } from '../command.js';
import { closeClient, openConnection } from '../connection.js';
import { ExitCode } from '../exit-codes.js';
import { stdinIsTerminal } from '../input.js';
import type { OptionTable } from '../options.js';
import { enterRooms, roomsFrom } from '../rooms.js';
import { onStopSignals } from '../signals.js';

const options: OptionTable = {
  room: {
    type: 'string',
    alias: 'r',
    array: true,
    value: 'ROOM',
    describe: 'room to join; repeat for several (the first is the current room)',
  },
  create: { type: 'boolean', describe: 'create a room that does not exist (otherwise: exit 5)' },
};

const command: CommandModule = {
  command: 'chat',
  options,
  connects: true,
  fast: {},
  builder: (y) =>
    y
      .example('$0 chat -r lobby -u alice', 'talk in lobby')
      .example('printf "hi\\n/users\\n" | $0 chat -r lobby', 'drive it from a script')
      .epilogue(
        'An interactive client: type to talk in the current room; incoming messages appear ' +
          'above the prompt. /help lists the commands (/join, /create, /switch, /quit, /users, ' +
          '/rooms, /destroy, /exit). Ctrl-D leaves. With stdin not a terminal, each line is ' +
          'handled in order (messages sent, commands run) and at the end of input, once the ' +
          'server confirmed everything was relayed, the command exits 0, or with the exit ' +
          'status of the first line that failed (e.g. 5 for a /join of a missing room, 2 ' +
          'for an unknown command).',
      ),
  handler: (argv) => guarded(() => chat(argv)),
};
export default command;

async function chat(argv: Record<string, unknown>): Promise<number> {
  const rooms = roomsFrom(argv.room, 'chat');
  const { client, settings } = await openConnection(argv, {
    requestTimeout: 10_000,
    negotiate: true,
    scope: 'chat',
  });
  const terminal = stdinIsTerminal() && process.stdout.isTTY === true;
  let rl: Interface | undefined;
  // Prints above the prompt without mangling what is being typed.
  const print = (stream: NodeJS.WriteStream, text: string) => {
    if (rl && terminal) {
      clearLine(process.stdout, 0);
      cursorTo(process.stdout, 0);
      stream.write(`${text}\n`);
      rl.prompt(true);
    } else {
      stream.write(`${text}\n`);
    }
  };
  const session = new ChatSession(
    client,
    {
      line: (text) => print(process.stdout, text),
      problem: (text) => print(process.stderr, `mpcrp-bot: ${text}`),
    },
    settings.url,
    rooms,
  );
  const onMessage = (m: RoomMessage) => session.showMessage(m);
  const onPresence = (e: PresenceEvent) => session.showPresence(e);
  client.on('message', onMessage);
  client.on('presence', onPresence);

  let done = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => {
    finish = (code) => {
      done = true;
      resolve(code);
    };
  });
  const onClose = (error: Error | undefined) => {
    if (done) return;
    print(
      process.stderr,
      `mpcrp-bot: chat: connection to ${settings.url} lost (${error?.message ?? 'closed'}); run chat again to reconnect`,
    );
    finish(ExitCode.ConnectionLost);
  };
  client.on('close', onClose);
  const disposeSignals = onStopSignals((code) => finish(code));
  try {
    await enterRooms(client, rooms, { create: argv.create === true, url: settings.url });
    rl = createInterface({
      input: process.stdin,
      ...(terminal ? { output: process.stdout, terminal: true } : { terminal: false }),
    });
    const promptFor = () => `${session.current ?? '-'}> `;
    if (terminal) {
      rl.setPrompt(promptFor());
      process.stderr.write(
        `connected to ${settings.url} as ${client.username}; /help for commands, Ctrl-D to leave\n`,
      );
      rl.prompt();
      rl.on('SIGINT', () => finish(ExitCode.Interrupted));
    }
    // One line at a time, in order: a /join must finish before the next line is sent.
    let chain = Promise.resolve();
    const step = (work: () => Promise<void>, failure: number) => {
      chain = chain
        .then(() => (done || client.closed ? undefined : work()))
        .catch((error: unknown) => {
          if (done) return;
          print(process.stderr, `mpcrp-bot: chat: ${(error as Error).message}`);
          finish(failure);
        });
    };
    rl.on('line', (line) =>
      step(async () => {
        const goOn = await session.handle(line);
        if (!goOn) rl?.close();
        else if (terminal) {
          rl?.setPrompt(promptFor());
          rl?.prompt();
        }
      }, ExitCode.Internal),
    );
    // End of input (Ctrl-D, /exit, or the end of a script): everything typed was relayed
    // once this round trip is answered.
    rl.on('close', () =>
      step(async () => {
        await client.ping();
        // A person at a prompt saw each failure; a script learns of them from the status.
        finish(terminal ? ExitCode.Ok : (session.failure ?? ExitCode.Ok));
      }, ExitCode.NotConfirmed),
    );
    return await finished;
  } finally {
    done = true;
    disposeSignals();
    client.off('close', onClose);
    client.off('message', onMessage);
    client.off('presence', onPresence);
    if (rl) {
      rl.close();
      if (terminal) process.stdout.write('\n');
      process.stdin.destroy();
    }
    await closeClient(client);
  }
}
