import { ConfigError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_PORT } from '../protocol/types.js';
import type { ClusterOptions } from './cluster/options.js';
import { type Listener, listenTcp, listenTls } from './listeners.js';
import type { ServerOptions } from './options.js';
import { MpcrpServer } from './server.js';
import {
  certificateExpiry,
  DEFAULT_TLS_PORT,
  type ServerTlsOptions,
  type TlsServerSettings,
  tlsServerSettings,
} from './tls.js';

export interface StartServerOptions extends ServerOptions {
  /** Address to bind. Default '127.0.0.1' (this machine only); '0.0.0.0' for all. */
  host?: string;
  /** Plaintext (mpcrp://) TCP port. Default 8890; 0 picks a free one (read it from `port` or `url`). */
  port?: number;
  /**
   * Also serve mpcrps:// with this certificate, on `tls.port` (default 8891). With
   * `tls.ca` clients may present certificates, which `reservedNames` needs.
   */
  tls?: ServerTlsOptions;
  /** Serve plaintext mpcrp:// on `port`. Default true; false serves TLS only (needs `tls`). */
  plaintext?: boolean;
  /**
   * Join the cluster of every server on this Redis (a `redis://HOST:PORT` URL, or the
   * full {@link ClusterOptions}): names, rooms and fan-out are shared, so all its nodes
   * behave as one server. Replaces `registry`. Without it nothing of the cluster loads.
   */
  redis?: string | ClusterOptions;
  logger?: Logger;
}

/** A listening server, as {@link startServer} returns it. */
export interface RunningServer {
  /**
   * What clients pass as their server URL: `mpcrp://HOST:PORT`, or the TLS URL when the
   * plaintext listener is off.
   */
  url: string;
  host: string;
  /** The port of `url`. */
  port: number;
  /** `mpcrps://HOST:PORT` when TLS is on. */
  tlsUrl?: string;
  tlsPort?: number;
  /** Every listener's URL, plaintext first: what `serve` prints as MPCRP_URL lines. */
  urls: string[];
  server: MpcrpServer;
  /** Stops accepting, flushes and closes every connection; resolves when all are closed. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';

function checkPort(issues: string[], what: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    issues.push(`${what} must be an integer from 0 to 65535, got ${port}`);
  }
}

/** Cross-option rules; the options themselves are checked by MpcrpServer and tlsServerSettings. */
function checkListeners(options: StartServerOptions, port: number, tlsPort: number): void {
  const issues: string[] = [];
  const plaintext = options.plaintext ?? true;
  const tls = options.tls;
  if (plaintext) checkPort(issues, 'server port', port);
  if (tls) checkPort(issues, 'server tls.port', tlsPort);
  if (!plaintext && !tls) {
    issues.push(
      'nothing to listen on: plaintext is off (--no-plaintext) and no TLS certificate is configured (--tls-cert and --tls-key)',
    );
  }
  if (plaintext && tls && port === tlsPort && port !== 0) {
    issues.push(
      `the plaintext port and the TLS port are both ${port}; give the TLS listener another (--tls-port)`,
    );
  }
  const reserved = options.reservedNames;
  if ((reserved === 'all' || (Array.isArray(reserved) && reserved.length > 0)) && !tls?.ca) {
    issues.push(
      'reserved names need client certificates, and so a TLS listener with a client CA (--tls-cert, --tls-key and --tls-ca); without one no client could ever take them',
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * Starts an MPCRP server listening on TCP, on TLS, or on both side by side (one server:
 * the same users and rooms on either).
 *
 * @example
 * const running = await startServer({ port: 0 });
 * console.log(`MPCRP_URL=${running.url}`); // mpcrp://127.0.0.1:40123
 * await running.close();
 *
 * @example
 * const secure = await startServer({
 *   port: 0,
 *   tls: { cert: readFileSync('server.pem'), key: readFileSync('server-key.pem'), port: 0 },
 * });
 * secure.urls; // ['mpcrp://127.0.0.1:40123', 'mpcrps://127.0.0.1:40124']
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const tlsPort = options.tls?.port ?? DEFAULT_TLS_PORT;
  checkListeners(options, port, tlsPort);
  const log = (options.logger ?? silentLogger).child('server');
  const cluster = options.redis === undefined ? undefined : await joinCluster(options.redis, log);
  let server: MpcrpServer;
  try {
    server = new MpcrpServer({
      ...options,
      logger: log,
      ...(cluster ? { registry: cluster } : {}),
    });
  } catch (error) {
    await cluster?.close();
    throw error;
  }
  let tlsSettings: TlsServerSettings | undefined;
  if (options.tls) {
    tlsSettings = tlsServerSettings(options.tls);
    warnOnExpiry(log, options.tls.cert);
  }
  const listeners: Listener[] = [];
  try {
    if (options.plaintext ?? true)
      listeners.push(await listenTcp(server, { host, port, logger: log }));
    if (tlsSettings) {
      listeners.push(
        await listenTls(server, { host, port: tlsPort, logger: log, tls: tlsSettings }),
      );
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    await cluster?.close();
    throw error;
  }
  for (const l of listeners) log.info('listening', { url: l.url });
  logPolicy(log, options);
  const tlsListener = tlsSettings ? listeners[listeners.length - 1] : undefined;
  const first = listeners[0]!;
  let closing: Promise<void> | undefined;
  return {
    url: first.url,
    host,
    port: first.port,
    ...(tlsListener ? { tlsUrl: tlsListener.url, tlsPort: tlsListener.port } : {}),
    urls: listeners.map((l) => l.url),
    server,
    close: () => {
      closing ??= (async () => {
        const stopped = Promise.all(listeners.map((l) => l.close()));
        await server.close();
        await stopped;
        await cluster?.close();
        for (const l of listeners) log.info('stopped', { url: l.url });
      })();
      return closing;
    },
  };
}

/** Loads the cluster code only when asked for, so a single server never loads a Redis client. */
async function joinCluster(redis: string | ClusterOptions, log: Logger) {
  const { RedisRegistry } = await import('./cluster/redis-registry.js');
  return RedisRegistry.connect(typeof redis === 'string' ? { url: redis } : redis, log);
}

function warnOnExpiry(log: Logger, cert: string | Buffer): void {
  const expiry = certificateExpiry(cert);
  if (expiry !== undefined && expiry.getTime() < Date.now()) {
    log.warn('server TLS certificate has expired: clients will refuse it', {
      validTo: expiry.toISOString(),
    });
  }
}

function logPolicy(log: Logger, options: StartServerOptions): void {
  const reserved = options.reservedNames;
  if (reserved === 'all') {
    log.info('every username is reserved: only clients with a certificate for it can take one');
  } else if (reserved && reserved.length > 0) {
    log.info('reserved names need a client certificate', { names: reserved.join(',') });
  }
}
