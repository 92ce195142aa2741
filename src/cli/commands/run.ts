import type { PluginEntry } from '../../bot/engine.js';
import { loadBotFile } from '../../bot/loader.js';
import type { AnyBotPlugin } from '../../bot/types.js';
import { parseDuration } from '../../config/duration.js';
import { loadSettings } from '../../config/load.js';
import type { Settings } from '../../config/resolve.js';
import { PluginLoadError } from '../../errors.js';
import { createLogger, type LogFormat, type Logger, type LogLevel } from '../../log.js';
import { isValidName } from '../../protocol/names.js';
import { connectOrEmbed, startEmbedded } from '../../runtime/local-server.js';
import type { RunningServer } from '../../server/start.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import { type ConnectionSettings, resolveConnection } from '../connection.js';
import { ExitCode } from '../exit-codes.js';
import { LOG_OPTIONS, type OptionTable } from '../options.js';
import { onStopSignals } from '../signals.js';

export const command = 'run [files..]';
export const connects = true;

export const options: OptionTable = {
  // Overrides of the shared connection options: a bot keeps one name and, when that name
  // is held (say by its own stale connection), retries until it is free.
  user: {
    // -u is already declared by the shared table; yargs merges this description in.
    type: 'string',
    value: 'NAME',
    describe:
      "the bots' username (env MPCRP_USER; default: the first bot's name); retried while taken",
  },
  'on-name-taken': { type: 'string', hidden: true, describe: 'not used by run' },
  room: {
    type: 'string',
    alias: 'r',
    array: true,
    value: 'ROOM',
    describe: 'room to be in, created when missing; repeatable (default: config rooms, else lobby)',
  },
  embedded: {
    type: 'boolean',
    describe: 'start a server in this process and run the bots on it',
  },
  port: {
    type: 'number',
    alias: 'p',
    value: 'PORT',
    describe: 'port of the --embedded server (default 8890; 0 picks a free one)',
  },
  'presence-interval': {
    type: 'string',
    value: 'DUR',
    describe: 'how often to read user lists on a server without presence events (default 2s)',
  },
  prefix: { type: 'string', value: 'TEXT', describe: 'command prefix (default !)' },
  watch: {
    type: 'boolean',
    describe: 'reload a bot file when it changes, keeping the connection',
  },
  ...LOG_OPTIONS,
};

export const builder = (y: import('yargs').Argv) =>
  y
    .positional('files', { describe: 'bot files (.ts, .mts, .js, .mjs)', type: 'string' })
    .example('$0 run bots/echo.ts', 'run on mpcrp://127.0.0.1:8890, starting a server if none runs')
    .example('$0 run bots/dice.ts -s mpcrp://chat.example:8890 -r games', 'a real server')
    .example('$0 run --watch bots/my-bot.ts', 'reload the bot whenever you save it')
    .epilogue(
      'Runs until SIGINT/SIGTERM, then stops the bots, flushes what they still have to say, ' +
        'leaves its rooms and exits 0. Logs go to stderr; stdout stays empty.',
    );

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

interface LoadedBot {
  file: string;
  entry: AnyBotPlugin | PluginEntry;
  name: string;
}

export function handler(argv: Record<string, unknown>): Promise<number> {
  return guarded(() => run(argv));
}

async function run(argv: Record<string, unknown>): Promise<number> {
  const rooms = argv.room as string[] | undefined;
  const { settings } = await loadSettings({
    flags: {
      config: str(argv.config),
      server: str(argv.server),
      user: str(argv.user),
      ...(rooms && rooms.length > 0 ? { rooms } : {}),
      prefix: str(argv.prefix),
      verbose: argv.verbose as number | undefined,
      quiet: argv.quiet as boolean | undefined,
      logLevel: argv.logLevel as LogLevel | undefined,
      logFormat: argv.logFormat as LogFormat | undefined,
      ca: str(argv.ca),
      cert: str(argv.cert),
      key: str(argv.key),
      ...(argv.insecure === true ? { insecure: true } : {}),
    },
  });
  if (argv.port !== undefined && argv.embedded !== true) {
    throw usage(
      '--port sets the port of the --embedded server; add --embedded, or use --server URL',
    );
  }
  const logger = createLogger({ level: settings.log.level, format: settings.log.format });
  const bots = await loadBots(argv.files as string[] | undefined, settings.bots);
  // A config with announcements and no bots is an announcer: a valid thing to run.
  if (bots.length === 0 && !settings.announcements.some((a) => a.enabled)) {
    throw usage(
      'nothing to run: name a bot file (mpcrp-bot run bots/echo.ts), or list bots under `bots:` or announcements under `announcements:` in mpcrp-bot.yaml',
    );
  }
  const presenceInterval =
    str(argv.presenceInterval) !== undefined
      ? parseDuration(str(argv.presenceInterval)!, '--presence-interval')
      : settings.presenceInterval;
  const username = settings.user ?? defaultUsername(bots);
  const pluginRooms = bots.some((b) => roomsOf(b.entry) !== undefined);
  const announced = settings.announcements.some((a) => a.enabled);
  const botRooms =
    settings.rooms.length > 0 || pluginRooms || announced ? settings.rooms : ['lobby'];

  // Checked before any server starts, so a bad flag cannot leave one running.
  const connection = await resolveConnection(argv);
  let embedded: RunningServer | undefined;
  let url = settings.server;
  if (argv.embedded === true || settings.serverSource === 'default') {
    const serverOptions = {
      logger,
      ...(settings.serve.maxPayload !== undefined ? { maxPayload: settings.serve.maxPayload } : {}),
    };
    if (argv.embedded === true) {
      embedded = await startEmbedded({
        ...serverOptions,
        host: settings.serve.host ?? '127.0.0.1',
        port: (argv.port as number | undefined) ?? settings.serve.port ?? 8890,
      });
    } else {
      ({ url, embedded } = await connectOrEmbed(url, serverOptions));
    }
    if (embedded) {
      url = embedded.url;
      const room = botRooms[0] ?? 'lobby';
      const s = url === settings.server ? '' : ` -s ${url}`;
      process.stderr.write(
        `mpcrp-bot: started an embedded server on ${url}` +
          `${argv.embedded === true ? '' : ' (nothing was listening there)'}\n` +
          `mpcrp-bot: talk to it: npx mpcrp-bot chat${s} -r ${room}\n`,
      );
    }
  }

  try {
    return await runBots(argv, {
      settings,
      logger,
      bots,
      url,
      username,
      botRooms,
      presenceInterval,
      connection,
      embedded,
    });
  } finally {
    await embedded?.close();
  }
}

interface RunPlan {
  settings: Settings;
  logger: Logger;
  bots: LoadedBot[];
  url: string;
  username: string;
  botRooms: string[];
  presenceInterval: number;
  connection: ConnectionSettings;
  embedded: RunningServer | undefined;
}

async function runBots(argv: Record<string, unknown>, plan: RunPlan): Promise<number> {
  const { settings, logger, bots, url, username, botRooms, presenceInterval, connection } = plan;
  const { createRuntime } = await import('../../runtime/create.js');
  const runtime = createRuntime({
    server: url,
    username,
    rooms: botRooms,
    plugins: bots.map((b) => b.entry),
    prefix: settings.prefix,
    presenceInterval,
    outbox: settings.outbox,
    extensions: argv.extensions !== 'off',
    tls: connection.tls,
    connectTimeout: connection.connectTimeout,
    announcements: settings.announcements,
    logger,
  });
  logger.info('starting', { bots: bots.map((b) => b.name).join(','), url, user: username });

  let stopWatching = () => {};
  let disposeSignals = () => {};
  const stopped = new Promise<void>((resolve) => {
    disposeSignals = onStopSignals((_code, signal) => {
      logger.info('shutting down', { signal });
      stopWatching();
      void (async () => {
        try {
          await runtime.stop();
        } catch (error) {
          logger.error('error while stopping', { error });
        }
        resolve();
      })();
    });
  });

  try {
    await runtime.start();
  } catch (error) {
    disposeSignals();
    await runtime.stop();
    throw error;
  }
  if (argv.watch === true) {
    stopWatching = watchBots(bots, (entry) => runtime.load(entry), logger);
  }
  await stopped;
  logger.info('stopped');
  return ExitCode.Ok;
}

async function loadBots(
  files: readonly string[] | undefined,
  configured: ReadonlyArray<{
    path: string;
    options: Record<string, unknown>;
    enabled: boolean;
    enable?: string[];
    disable: string[];
  }>,
): Promise<LoadedBot[]> {
  const out: LoadedBot[] = [];
  try {
    for (const file of files ?? []) {
      const plugin = await loadBotFile(file);
      out.push({ file, entry: plugin, name: plugin.name });
    }
    for (const bot of configured) {
      if (!bot.enabled) continue;
      const plugin = await loadBotFile(bot.path);
      out.push({
        file: bot.path,
        name: plugin.name,
        entry: {
          plugin,
          options: bot.options,
          disable: bot.disable,
          ...(bot.enable ? { enable: bot.enable } : {}),
        },
      });
    }
  } catch (error) {
    if (error instanceof PluginLoadError) throw new CliExit(ExitCode.Usage, error.message);
    throw error;
  }
  return out;
}

function roomsOf(entry: AnyBotPlugin | PluginEntry): readonly string[] | undefined {
  return 'plugin' in entry ? (entry.enable ?? entry.plugin.rooms) : entry.rooms;
}

function defaultUsername(bots: readonly LoadedBot[]): string {
  const first = bots[0]?.name;
  if (first === undefined) return 'announcer';
  return isValidName('username', first) ? first : 'mpcrp-bot';
}

function watchBots(
  bots: readonly LoadedBot[],
  load: (entry: AnyBotPlugin | PluginEntry) => Promise<void>,
  logger: Logger,
): () => void {
  const byFile = new Map(bots.map((b) => [b.file, b]));
  let stop = () => {};
  void import('../../runtime/watch.js').then(({ watchFiles }) => {
    stop = watchFiles(
      [...byFile.keys()],
      async (file) => {
        const bot = byFile.get(file)!;
        const plugin = await loadBotFile(file, { fresh: true });
        const entry = 'plugin' in bot.entry ? { ...bot.entry, plugin } : plugin;
        await load(entry);
        logger.info('reloaded bot', { file, bot: plugin.name });
      },
      logger,
    );
    logger.info('watching bot files for changes', { files: [...byFile.keys()].join(',') });
  });
  return () => stop();
}
