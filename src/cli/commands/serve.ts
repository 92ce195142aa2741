import { parseDuration } from '../../config/duration.js';
import { loadSettings } from '../../config/load.js';
import { createLogger, type LogFormat, type LogLevel } from '../../log.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../server/options.js';
import { startServer } from '../../server/start.js';
import { writeLine } from '../io.js';
import type { OptionTable } from '../options.js';

export const command = 'serve';

export const options: OptionTable = {
  host: {
    type: 'string',
    value: 'HOST',
    describe: 'address to listen on (default 127.0.0.1; 0.0.0.0 for all)',
  },
  port: {
    type: 'number',
    alias: 'p',
    value: 'PORT',
    describe: 'TCP port (default 8890; 0 picks a free one)',
  },
  'max-payload': {
    type: 'number',
    value: 'BYTES',
    describe: `largest frame payload accepted; bigger closes the connection (default ${DEFAULT_SERVER_OPTIONS.maxPayload})`,
  },
  'max-output-bytes': {
    type: 'number',
    value: 'BYTES',
    describe: `unsent output per connection before it is dropped as a slow consumer (default ${DEFAULT_SERVER_OPTIONS.maxOutputBytes})`,
  },
  'registration-timeout': {
    type: 'string',
    value: 'DUR',
    describe: 'close connections that set no username within this time (default 10s)',
  },
  extensions: {
    type: 'boolean',
    describe:
      'serve the negotiated extensions; --no-extensions makes a strict RFC 8890 server (default on)',
  },
  'log-level': {
    type: 'string',
    choices: ['debug', 'info', 'warn', 'error', 'silent'],
    describe: 'stderr log level (default info; env MPCRP_LOG_LEVEL)',
  },
  'log-format': {
    type: 'string',
    choices: ['pretty', 'json'],
    describe: 'stderr log format (default pretty)',
  },
};

/** Flags win over the config file's `serve:` section, which wins over the server's defaults. */
export async function handler(argv: Record<string, unknown>): Promise<number> {
  const { settings } = await loadSettings({
    flags: {
      config: argv.config as string | undefined,
      verbose: argv.verbose as number | undefined,
      quiet: argv.quiet as boolean | undefined,
      logLevel: argv.logLevel as LogLevel | undefined,
      logFormat: argv.logFormat as LogFormat | undefined,
    },
  });
  const file = settings.serve;
  const logger = createLogger({ level: settings.log.level, format: settings.log.format });
  const serverOptions: ServerOptions = {
    logger,
    maxPayload: (argv.maxPayload as number | undefined) ?? file.maxPayload,
    maxOutputBytes: (argv.maxOutputBytes as number | undefined) ?? file.maxOutputBytes,
    registrationTimeout:
      argv.registrationTimeout !== undefined
        ? parseDuration(argv.registrationTimeout as string, '--registration-timeout')
        : file.registrationTimeout,
    extensions:
      (argv.extensions as boolean | undefined) ??
      (file.extensions ? file.extensions.length > 0 : undefined),
  };
  const running = await startServer({
    ...serverOptions,
    host: (argv.host as string | undefined) ?? file.host ?? '127.0.0.1',
    port: (argv.port as number | undefined) ?? file.port ?? 8890,
  });
  await writeLine(`MPCRP_URL=${running.url}`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      running.close().then(resolve, resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt).on('SIGTERM', onTerm);
  });
  logger.info('closed');
  return 0;
}
