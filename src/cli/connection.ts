import { connect, type MpcrpClient } from '../client/index.js';
import { loadSettings } from '../config/load.js';
import {
  ConnectionClosedError,
  InvalidNameError,
  NameTakenError,
  TimeoutError,
} from '../errors.js';
import type { Logger } from '../log.js';
import { nameProblem } from '../protocol/names.js';
import type { TlsClientOptions } from '../transport/tcp.js';
import { CliExit } from './cli-exit.js';
import { cliLogger, frameDumper } from './diagnostics.js';
import { flagDuration } from './durations.js';
import { ExitCode } from './exit-codes.js';
import { warn } from './io.js';
import { textFlag } from './options.js';

/** Names tried with --on-name-taken suffix before giving up: NAME, NAME-2 ... NAME-10. */
const SUFFIX_ATTEMPTS = 10;

export interface ConnectionSettings {
  /** Normalised, e.g. `mpcrp://127.0.0.1:8890`. */
  url: string;
  /** The name asked for first (given or generated). */
  user: string;
  /** True when no --user, MPCRP_USER or config `user` named one. */
  generatedUser: boolean;
  onNameTaken: 'fail' | 'suffix';
  /** Milliseconds for TCP, TLS and the SetUserName handshake together. */
  connectTimeout: number;
  tls: TlsClientOptions;
  extensions: boolean;
}

const str = textFlag;

/**
 * The connection settings of a client command: flags > environment > config file >
 * defaults (through the config module's resolveSettings). No YAML is loaded unless a
 * config file exists.
 */
export async function resolveConnection(
  argv: Record<string, unknown>,
  env: Record<string, string | undefined> = process.env,
): Promise<ConnectionSettings> {
  // An invalid name from a flag or the environment is an identity problem (exit 4), not a
  // configuration one; the config file's own `user` is checked with the rest of the file.
  for (const [label, value] of [
    ['--user', str(argv.user)],
    ['MPCRP_USER', str(env.MPCRP_USER)],
  ] as const) {
    const problem = value === undefined ? undefined : nameProblem('username', value);
    if (problem !== undefined) {
      throw new CliExit(
        ExitCode.NameRejected,
        `${label}: invalid username ${JSON.stringify(value)}: ${problem} (a username is 1 to 20 characters without white space or control characters)`,
      );
    }
    if (value !== undefined) break;
  }
  const { settings } = await loadSettings({
    env,
    flags: {
      config: str(argv.config),
      server: str(argv.server),
      user: str(argv.user),
      ca: str(argv.ca),
      cert: str(argv.cert),
      key: str(argv.key),
      ...(argv.insecure === true ? { insecure: true } : {}),
    },
  });
  const generatedUser = settings.user === undefined;
  const onNameTaken = str(argv['on-name-taken']) ?? (generatedUser ? 'suffix' : 'fail');
  if (onNameTaken !== 'fail' && onNameTaken !== 'suffix') {
    throw new CliExit(
      ExitCode.Usage,
      `--on-name-taken: '${onNameTaken}' is not one of fail, suffix`,
    );
  }
  return {
    url: settings.server,
    // identity.js (and node:os) only when a name has to be made up.
    user: settings.user ?? (await import('./identity.js')).generatedUserName(),
    generatedUser,
    onNameTaken,
    connectTimeout: flagDuration(str(argv['connect-timeout']) ?? '5s', '--connect-timeout')!,
    tls: await readTlsFiles(settings.tls),
    extensions: argv.extensions !== 'off',
  };
}

async function readTlsFiles(tls: {
  ca?: string;
  cert?: string;
  key?: string;
  insecure: boolean;
}): Promise<TlsClientOptions> {
  const read = async (what: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      // node:fs/promises is loaded only by the few runs that name a TLS file.
      const { readFile } = await import('node:fs/promises');
      return await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new CliExit(
        ExitCode.Usage,
        `cannot read the TLS ${what} file ${file} (${code}); check --${what}, MPCRP_${what.toUpperCase()} or server.${what} in the config file`,
      );
    }
  };
  const [ca, cert, key] = await Promise.all([
    read('ca', tls.ca),
    read('cert', tls.cert),
    read('key', tls.key),
  ]);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(tls.insecure ? { insecure: true, onInsecure: warnInsecureOnce } : {}),
  };
}

let warnedInsecure = false;

/**
 * --insecure: the warning as one line of this CLI's, once per process (`run` dials again on
 * every reconnect), not Node's process warning with its `--trace-warnings` hint.
 */
function warnInsecureOnce(message: string): void {
  if (warnedInsecure) return;
  warnedInsecure = true;
  warn(`warning: ${message}`);
}

export interface OpenOptions {
  /** Milliseconds to wait for each answer after the handshake. */
  requestTimeout: number;
  /** Ask for extensions (sender, presence, rooms); still off with --extensions off. */
  negotiate: boolean;
  /** Scope of log lines, usually the command name. */
  scope: string;
}

export interface OpenConnection {
  client: MpcrpClient;
  settings: ConnectionSettings;
  log: Logger;
}

/**
 * Resolves the settings, connects, claims a username (with a numeric suffix when allowed,
 * never by reconnecting) and negotiates extensions. Every failure is a {@link CliExit}
 * that names the server and says what to do.
 */
export async function openConnection(
  argv: Record<string, unknown>,
  options: OpenOptions,
): Promise<OpenConnection> {
  const settings = await resolveConnection(argv);
  const log = cliLogger(argv, options.scope);
  const verbose = Number(argv.verbose ?? 0);
  const started = Date.now();
  log.debug('connecting', { url: settings.url, user: settings.user });
  const client = await connect(settings.url, {
    connectTimeout: settings.connectTimeout,
    tls: settings.tls,
    requestTimeout: options.requestTimeout,
    ...(verbose >= 2 ? { onFrame: frameDumper() } : {}),
  });
  const remaining = Math.max(settings.connectTimeout - (Date.now() - started), 1);
  try {
    await withDeadline(handshake(client, settings, options, log), remaining);
  } catch (error) {
    client.destroy();
    throw await handshakeFailure(error, settings);
  }
  log.debug('connected', {
    url: settings.url,
    user: client.username,
    extensions: [...client.extensions].join(',') || 'none',
  });
  return { client, settings, log };
}

async function handshake(
  client: MpcrpClient,
  settings: ConnectionSettings,
  options: OpenOptions,
  log: Logger,
): Promise<void> {
  let name = settings.user;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.setUserName(name);
      break;
    } catch (error) {
      const retry =
        error instanceof NameTakenError &&
        settings.onNameTaken === 'suffix' &&
        attempt < SUFFIX_ATTEMPTS;
      if (!retry) throw error;
      const { suffixedName } = await import('./identity.js');
      name = suffixedName(settings.user, attempt + 1);
      log.debug('username taken, trying another', { taken: error.username, next: name });
    }
  }
  if (options.negotiate && settings.extensions) await client.negotiate();
}

class HandshakeTimeout extends Error {}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandshakeTimeout()), ms);
  });
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The CliExit for a failed handshake; async only to load identity.js on this rare path. */
export async function handshakeFailure(error: unknown, s: ConnectionSettings): Promise<unknown> {
  if (error instanceof HandshakeTimeout || error instanceof TimeoutError) {
    return new CliExit(
      ExitCode.CannotConnect,
      `cannot connect to ${s.url}: connected, but no MPCRP answer to SetUserName within ${s.connectTimeout} ms (is it an MPCRP server? check --server / MPCRP_URL, or raise --connect-timeout)`,
    );
  }
  if (error instanceof NameTakenError) {
    const { suffixedName } = await import('./identity.js');
    const advice =
      s.onNameTaken === 'suffix'
        ? `and so are '${suffixedName(s.user, 2)}' to '${suffixedName(s.user, SUFFIX_ATTEMPTS)}'; choose another name with --user NAME`
        : `choose another name with --user NAME (or MPCRP_USER), or pass --on-name-taken suffix to use '${suffixedName(s.user, 2)}'`;
    return new CliExit(
      ExitCode.NameRejected,
      `username '${s.user}' is taken on ${s.url} (another client is connected with it, or the server reserves it for TLS clients with a certificate for that name: mpcrps:// with --cert FILE --key FILE); ${advice}`,
    );
  }
  if (error instanceof InvalidNameError) {
    return new CliExit(
      ExitCode.NameRejected,
      `${error.message}; a username is 1 to 20 characters without white space or control characters (set it with --user or MPCRP_USER)`,
    );
  }
  if (error instanceof ConnectionClosedError) {
    return new CliExit(
      ExitCode.CannotConnect,
      `cannot connect to ${s.url}: the server closed the connection during the handshake (${error.message}); check the server's log`,
    );
  }
  return error;
}

/**
 * Closes politely (queued frames are flushed first) but never waits on a server that does
 * not close its side: after `ms` the connection is dropped.
 */
export async function closeClient(client: MpcrpClient, ms = 2000): Promise<void> {
  if (client.closed) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.close(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
  if (!client.closed) client.destroy();
}

/** Gives a bare "connection closed" the server's URL and what to do about it. */
export function explainLost(error: unknown, url: string, command: string): unknown {
  if (error instanceof ConnectionClosedError) {
    return new CliExit(
      ExitCode.ConnectionLost,
      `${command}: connection to ${url} lost (${error.message}); check that the server is up, then run the command again`,
    );
  }
  return error;
}
