import path from 'node:path';
import { prefixProblem } from '../../bot/engine.js';
import { enableReloads } from '../../bot/loader.js';
import { parseDuration } from '../../config/duration.js';
import { loadSettings } from '../../config/load.js';
import type { Settings } from '../../config/resolve.js';
import { createLogger, type LogFormat, type Logger, type LogLevel } from '../../log.js';
import { connectOrEmbed, startEmbedded } from '../../runtime/local-server.js';
import type { RunningServer } from '../../server/start.js';
import { defaultUsername, type LoadedBot, loadBots, roomsOf, watchBots } from '../bot-files.js';
import { openBotStore, warnWithoutSender } from '../bot-store.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import { type ConnectionSettings, resolveConnection } from '../connection.js';
import { ExitCode } from '../exit-codes.js';
import { httpBindFailure, httpOption, loadRunHttp } from '../http-option.js';
import { writeLine } from '../io.js';
import { LOG_OPTIONS, type OptionTable, textFlag } from '../options.js';
import { FLUSH_MS, faultOptions, shutdownBound } from '../run-faults.js';
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
    describe:
      'reload a bot file (and the project files it imports) when it changes, keeping the connection',
  },
  'keep-going': {
    type: 'boolean',
    describe:
      'run the bots that loaded even when another fails to load or set up (default: exit 2)',
  },
  'on-plugin-crash': {
    type: 'string',
    choices: ['unload', 'exit'],
    describe:
      'an exception escaping a bot (timer, detached promise): unload that bot (default), or stop and exit 1',
  },
  'start-timeout': {
    type: 'string',
    value: 'DUR',
    describe: 'budget of setup() and onStart per bot, then abandoned (default 30s; 0 = none)',
  },
  'stop-timeout': {
    type: 'string',
    value: 'DUR',
    describe: 'budget of onStop per bot, then abandoned (default 30s; 0 = none)',
  },
  'event-timeout': {
    type: 'string',
    value: 'DUR',
    describe: 'budget of one event (message, join, cron fire...) per bot (default 10s; 0 = none)',
  },
  'blocked-warn': {
    type: 'string',
    value: 'DUR',
    describe: 'log a bot that holds the event loop this long (default 1s; 0 = off)',
  },
  'max-replies': {
    type: 'number',
    value: 'N',
    describe:
      'loop protection: messages of one sender in one room answered per 10 s (default 10; 0 = off)',
  },
  'ignore-user': {
    type: 'string',
    array: true,
    value: 'NAME',
    describe: 'never hand messages from this user to the bots (another bot); repeatable',
  },
  http: httpOption(
    '/healthz, /readyz, /metrics, webhooks (POST /rooms/ROOM/messages) and bot.http routes',
  ),
  data: {
    type: 'string',
    value: 'DIR',
    describe:
      "the bots' data directory for the local store (default: .mpcrp-bot/ beside the config file, else $XDG_DATA_HOME/mpcrp-bot/USER)",
  },
  store: {
    type: 'string',
    value: 'URL',
    describe: "where the bots' store lives: redis://HOST:PORT to share it, local (default), memory",
  },
  ...LOG_OPTIONS,
};

export const builder = (y: import('yargs').Argv) =>
  y
    .positional('files', {
      describe: 'bot files (.ts, .mts, .js, .mjs) or installed npm package names',
      type: 'string',
    })
    .example('$0 run bots/echo.ts', 'run on mpcrp://127.0.0.1:8890, starting a server if none runs')
    .example('$0 run bots/dice.ts -s mpcrp://chat.example:8890 -r games', 'a real server')
    .example('$0 run --watch bots/my-bot.ts', 'reload the bot whenever you save it')
    .example('$0 run bots/karma.ts --store redis://127.0.0.1:6379', 'keep karma in a shared Redis')
    .example('$0 run mpcrp-bot-karma', 'a bot from an npm package installed in this project')
    .epilogue(
      'Runs until SIGINT/SIGTERM, then stops the bots, flushes what they still have to say, ' +
        'leaves its rooms and exits 0. Logs go to stderr; stdout stays empty but for ' +
        'MPCRP_HTTP=http://HOST:PORT with --http.',
    );

const str = textFlag;

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
      'run',
    );
  }
  const logger = createLogger({ level: settings.log.level, format: settings.log.format });
  const keepGoing = argv.keepGoing === true;
  // Before the first load, so a reload can re-read every project file a bot imports.
  if (argv.watch === true) await enableReloads();
  const prefix = prefixProblem(settings.prefix);
  if (prefix !== undefined) {
    throw usage(`run: ${str(argv.prefix) !== undefined ? '--prefix' : 'prefix'}: ${prefix}`);
  }
  const bots = await loadBots(
    argv.files as string[] | undefined,
    settings.bots,
    settings.configFile === undefined ? process.cwd() : path.dirname(settings.configFile),
    keepGoing,
    logger,
  );
  // A config with announcements and no bots is an announcer: a valid thing to run.
  if (bots.length === 0 && !settings.announcements.some((a) => a.enabled)) {
    throw usage(
      'nothing to run: name a bot file (mpcrp-bot run bots/echo.ts), or list bots under `bots:` or announcements under `announcements:` in mpcrp-bot.yaml',
      'run',
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
  const faults = faultOptions(argv);
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
      faults,
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
  faults: ReturnType<typeof faultOptions>;
}

async function runBots(argv: Record<string, unknown>, plan: RunPlan): Promise<number> {
  const { settings, logger, bots, url, username, botRooms, presenceInterval, connection } = plan;
  const { createRuntime } = await import('../../runtime/create.js');
  const web = await loadRunHttp(str(argv.http), settings.http);
  const stats = web ? new web.RuntimeStats() : undefined;
  const { faults } = plan;
  const storeFlags = { store: str(argv.store), data: str(argv.data) };
  const store = await openBotStore(storeFlags, settings, username, logger);
  const runtime = createRuntime({
    ...faults,
    ...(stats ? { stats } : {}),
    flushTimeout: FLUSH_MS,
    store,
    roles: settings.roles ?? {},
    ...(settings.refusal !== undefined ? { refusal: settings.refusal } : {}),
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
    nameTakenHint: 'run with -u NAME (or set user: in the config) to use another name',
    announcements: settings.announcements,
    logger,
  });
  const failures = await runtime.engine.ready();
  for (const failure of failures) {
    const cause = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
    if (!keepGoingOn(argv)) {
      throw new CliExit(
        ExitCode.Usage,
        `bot '${failure.plugin}' failed to set up: ${cause}\n(fix it, or run the other bots anyway with --keep-going)`,
        { cause: failure },
      );
    }
    logger.error('bot not loaded (--keep-going)', { bot: failure.plugin, error: failure.cause });
  }
  if (failures.length > 0 && runtime.engine.plugins().length === 0) {
    throw new CliExit(ExitCode.Usage, 'no bot could be set up; nothing to run');
  }
  logger.info('starting', {
    bots: runtime.engine.plugins().join(','),
    url,
    user: username,
  });

  let stopWatching = () => {};
  let disposeSignals = () => {};
  let stopMonitor = () => {};
  let disposeNet = () => {};
  let exitCode: number = ExitCode.Ok;
  let requestStop: (code: number) => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    requestStop = (code) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      disposeSignals();
      stopWatching();
      // A hook that never settles must not keep the process: past the bound, exit anyway.
      const bound = shutdownBound(faults.timeouts);
      setTimeout(() => {
        logger.error('shutdown took longer than its bound; exiting without finishing it', {
          bound: `${bound}ms`,
          busy: runtime.engine
            .busy()
            .map((b) => `${b.plugin} (${b.hook})`)
            .join(', '),
        });
        process.exit(code || ExitCode.Internal);
      }, bound).unref();
      void (async () => {
        try {
          await runtime.stop();
        } catch (error) {
          logger.error('error while stopping', { error });
        }
        resolve();
      })();
    };
    disposeSignals = onStopSignals((_code, signal) => {
      logger.info('shutting down', { signal });
      requestStop(ExitCode.Ok);
    });
  });
  const { installSafetyNet } = await import('../../runtime/safety-net.js');
  disposeNet = installSafetyNet({
    policy: argv.onPluginCrash === 'exit' ? 'exit' : 'unload',
    logger,
    unload: (frame) => runtime.engine.unload(frame),
    exit: (code) => {
      logger.info('shutting down', { reason: 'uncaught error' });
      requestStop(code);
    },
  });
  const { monitorEventLoop } = await import('../../runtime/loop-monitor.js');
  stopMonitor = monitorEventLoop(faults.blockedWarn ?? 1000, () => runtime.engine.busy(), logger);

  let http: Awaited<ReturnType<NonNullable<typeof web>['startRunHttp']>> | undefined;
  warnWithoutSender(runtime, settings.prefix, logger);
  try {
    if (web && stats) {
      // Before start(), so the first session is counted and /readyz answers from the start.
      http = await web.startRunHttp(runtime, { ...web.plan, stats, logger: logger.child('http') });
      await writeLine(`MPCRP_HTTP=${http.url}`);
    }
    await runtime.start();
  } catch (error) {
    disposeSignals();
    disposeNet();
    stopMonitor();
    await runtime.stop();
    await http?.close();
    await store.close();
    throw httpBindFailure(error) ?? error;
  }
  if (argv.watch === true) {
    stopWatching = watchBots(bots, (entry) => runtime.load(entry), logger);
  }
  await stopped;
  stopMonitor();
  await http?.close();
  // Still installed while stopping: an onStop that throws from a timer cannot crash the exit.
  disposeNet();
  await store.close();
  logger.info('stopped');
  return exitCode;
}

function keepGoingOn(argv: Record<string, unknown>): boolean {
  return argv.keepGoing === true;
}
