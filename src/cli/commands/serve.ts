import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadSettings } from '../../config/load.js';
import type { ServeSection } from '../../config/types.js';
import { createLogger, type LogFormat, type LogLevel } from '../../log.js';
import type { ClusterOptions } from '../../server/cluster/options.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../server/options.js';
import type { ReservedNames } from '../../server/reserved-names.js';
import { startServer } from '../../server/start.js';
import type { ServerTlsOptions } from '../../server/tls.js';
import { CliExit, guarded, usage } from '../cli-exit.js';
import { flagDuration } from '../durations.js';
import { ExitCode } from '../exit-codes.js';
import { httpOption, loadServeHttp } from '../http-option.js';
import { writeLine } from '../io.js';
import { LOG_OPTIONS, type OptionTable, textFlag } from '../options.js';

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
    describe: 'plaintext mpcrp:// TCP port (default 8890; 0 picks a free one)',
  },
  plaintext: {
    type: 'boolean',
    describe: 'serve plaintext mpcrp:// on --port; --no-plaintext serves TLS only (default on)',
  },
  'tls-cert': {
    type: 'string',
    value: 'FILE',
    describe: 'PEM certificate (chain): also serve mpcrps:// on --tls-port (needs --tls-key)',
  },
  'tls-key': { type: 'string', value: 'FILE', describe: 'PEM private key of --tls-cert' },
  'tls-ca': {
    type: 'string',
    value: 'FILE',
    describe: 'PEM CA bundle of client certificates (asked for, never required; for --reserve)',
  },
  'tls-port': {
    type: 'number',
    value: 'PORT',
    describe: 'mpcrps:// TCP port (default 8891; 0 picks a free one)',
  },
  'handshake-timeout': {
    type: 'string',
    value: 'DUR',
    describe:
      'drop TLS clients that have not finished the handshake within this time (default 10s)',
  },
  reserve: {
    type: 'string',
    array: true,
    value: 'NAME',
    describe:
      'username only a TLS client with a certificate for it (CN or DNS SAN) may take; repeatable; needs --tls-ca',
  },
  'reserve-all': {
    type: 'boolean',
    describe: 'every username needs a client certificate for it (needs --tls-ca)',
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
  redis: {
    type: 'string',
    value: 'URL',
    describe:
      'join the cluster of every server on this Redis (redis://HOST:PORT): names, rooms and messages shared (also MPCRP_REDIS_URL)',
  },
  extensions: {
    type: 'boolean',
    describe:
      'serve the negotiated extensions; --no-extensions makes a strict RFC 8890 server (default on)',
  },
  http: httpOption('/healthz, /readyz and /metrics (Prometheus) over HTTP'),
  ...LOG_OPTIONS,
};

const str = textFlag;

/** Flags win over the config file's `serve:` section, which wins over the server's defaults. */
export function handler(argv: Record<string, unknown>): Promise<number> {
  return guarded(() => serve(argv));
}

async function serve(argv: Record<string, unknown>): Promise<number> {
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
        ? flagDuration(argv.registrationTimeout, '--registration-timeout')
        : file.registrationTimeout,
    extensions:
      (argv.extensions as boolean | undefined) ??
      (file.extensions ? file.extensions.length > 0 : undefined),
    reservedNames: reservedNames(argv, file),
    // Limits without a flag of their own come from the config file only.
    writeTimeout: file.writeTimeout,
    maxFramesBeforeRegistration: file.maxFramesBeforeRegistration,
    maxConnections: file.maxConnections,
    maxConnectionsPerIp: file.maxConnectionsPerIp,
    perIpExempt: file.perIpExempt,
    frameRate: file.frameRate,
    frameBurst: file.frameBurst,
    throttleTimeout: file.throttleTimeout,
    maxRoomMembers: file.maxRoomMembers,
    maxRoomsPerUser: file.maxRoomsPerUser,
    maxRooms: file.maxRooms,
    closeTimeout: file.closeTimeout,
    frameTimeout: file.frameTimeout,
    maxMalformedFrames: file.maxMalformedFrames,
  };
  const redis = clusterOptions(argv, file);
  const tls = await tlsOptions(argv, file);
  const port = (argv.port as number | undefined) ?? file.port ?? 8890;
  const web = await loadServeHttp(str(argv.http), settings.http);
  if (web) serverOptions.stats = new web.ServerStats();
  // Listening for signals before anything is announced: a supervisor may stop the server
  // the moment it reads MPCRP_URL, and that must still be a clean shutdown (exit 0).
  const stopped = stopSignal();
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer({
      ...serverOptions,
      host: (argv.host as string | undefined) ?? file.host ?? '127.0.0.1',
      port,
      ...(tls ? { tls } : {}),
      plaintext: (argv.plaintext as boolean | undefined) ?? file.plaintext ?? true,
      ...(redis ? { redis } : {}),
    });
  } catch (error) {
    stopped.cancel();
    throw bindFailure(error) ?? error;
  }
  let http: Awaited<ReturnType<NonNullable<typeof web>['startServeHttp']>> | undefined;
  if (web) {
    try {
      http = await web.startServeHttp(running, { ...web.plan, logger: logger.child('http') });
    } catch (error) {
      stopped.cancel();
      await running.close();
      throw bindFailure(error, '--http') ?? error;
    }
  }
  // stdout is data: one line per listener, plaintext first, then the HTTP one.
  for (const url of running.urls) await writeLine(`MPCRP_URL=${url}`);
  if (http) await writeLine(`MPCRP_HTTP=${http.url}`);
  const signal = await stopped.signal;
  logger.info('shutting down', { signal });
  http?.draining();
  await running.close().catch(() => {});
  await http?.close();
  logger.info('closed');
  return 0;
}

/** The first SIGINT or SIGTERM from now on; a second one gets Node's default (exit). */
function stopSignal(): { signal: Promise<string>; cancel(): void } {
  let onInt = (): void => {};
  let onTerm = (): void => {};
  const cancel = (): void => {
    process.off('SIGINT', onInt).off('SIGTERM', onTerm);
  };
  const signal = new Promise<string>((resolve) => {
    const stop = (name: string): void => {
      cancel();
      resolve(name);
    };
    onInt = () => stop('SIGINT');
    onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt).on('SIGTERM', onTerm);
  });
  return { signal, cancel };
}

/** `--redis` > MPCRP_REDIS_URL > `serve.redis`; the file alone may also tune the lease. */
function clusterOptions(
  argv: Record<string, unknown>,
  file: ServeSection,
): ClusterOptions | undefined {
  const url = str(argv.redis) ?? str(process.env.MPCRP_REDIS_URL) ?? file.redis?.url;
  if (url === undefined) return undefined;
  const { prefix, leaseTtl } = file.redis ?? {};
  return {
    url,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(leaseTtl !== undefined ? { leaseTtl } : {}),
  };
}

function reservedNames(argv: Record<string, unknown>, file: ServeSection): ReservedNames {
  if (argv.reserveAll === true) return 'all';
  const flags = (argv.reserve as unknown[] | undefined)?.map(String) ?? [];
  if (flags.length > 0) return flags;
  return file.reservedNames ?? [];
}

/** The TLS listener's settings from flags and `serve.tls`, files read; undefined when off. */
async function tlsOptions(
  argv: Record<string, unknown>,
  file: ServeSection,
): Promise<ServerTlsOptions | undefined> {
  const pick = (flag: string, key: 'cert' | 'key' | 'ca') => {
    const given = str(argv[flag]);
    if (given !== undefined) return { path: resolve(given), label: `--${flag}` };
    const fromFile = file.tls?.[key];
    return fromFile === undefined ? undefined : { path: fromFile, label: `serve.tls.${key}` };
  };
  const cert = pick('tls-cert', 'cert');
  const key = pick('tls-key', 'key');
  const ca = pick('tls-ca', 'ca');
  const tlsPort = (argv.tlsPort as number | undefined) ?? file.tls?.port;
  const timeoutFlag = str(argv.handshakeTimeout);
  const handshakeTimeout =
    timeoutFlag !== undefined
      ? flagDuration(timeoutFlag, '--handshake-timeout')
      : file.tls?.handshakeTimeout;
  if (cert === undefined || key === undefined) {
    if (cert !== undefined || key !== undefined) {
      throw usage(
        `${(cert ?? key)!.label} needs its partner: give both --tls-cert FILE and --tls-key FILE (or serve.tls.cert and serve.tls.key)`,
        'serve',
      );
    }
    const stray = [
      ca?.label,
      tlsPort !== undefined && (argv.tlsPort !== undefined ? '--tls-port' : 'serve.tls.port'),
      handshakeTimeout !== undefined &&
        (timeoutFlag !== undefined ? '--handshake-timeout' : 'serve.tls.handshakeTimeout'),
    ].filter(Boolean);
    if (stray.length > 0) {
      throw usage(
        `${stray.join(', ')} configure the TLS listener, which needs --tls-cert FILE and --tls-key FILE`,
        'serve',
      );
    }
    return undefined;
  }
  const [certPem, keyPem, caPem] = await Promise.all([
    readPem(cert),
    readPem(key),
    ca ? readPem(ca) : undefined,
  ]);
  return {
    cert: certPem,
    key: keyPem,
    ...(caPem ? { ca: caPem } : {}),
    ...(tlsPort !== undefined ? { port: tlsPort } : {}),
    ...(handshakeTimeout !== undefined ? { handshakeTimeout } : {}),
  };
}

async function readPem(source: { path: string; label: string }): Promise<Buffer> {
  try {
    return await readFile(source.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw usage(`${source.label}: cannot read ${source.path} (${code})`, 'serve');
  }
}

/** A listen error as advice: which address, why, and which flag changes it. */
function bindFailure(error: unknown, flag = '--port or --tls-port'): CliExit | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
  switch (e?.code) {
    case 'EADDRINUSE':
      return new CliExit(
        ExitCode.Usage,
        `cannot listen on ${where}: the port is in use (another server running?); choose another with ${flag} (0 picks a free one)`,
      );
    case 'EACCES':
      return new CliExit(
        ExitCode.Usage,
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges); use a port from 1024 up`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliExit(
        ExitCode.Usage,
        `cannot listen on ${e.hostname ?? where}: no such host name (${e.code}); check --host (an address of this machine, e.g. 127.0.0.1 or 0.0.0.0)`,
      );
    case 'EADDRNOTAVAIL':
      return new CliExit(
        ExitCode.Usage,
        `cannot listen on ${where}: no such address on this machine; check --host`,
      );
    default:
      return undefined;
  }
}
