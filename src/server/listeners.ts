import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log.js';
import { formatServerUrl } from '../protocol/url.js';
import { LogLimiter } from './log-limiter.js';
import type { MpcrpServer } from './server.js';
import { handshakeFailure } from './stats.js';
import type { TlsServerSettings } from './tls.js';

/**
 * A bound socket that feeds accepted connections to an {@link MpcrpServer}. Listener
 * kinds (plain TCP, TLS) share this shape, so startServer can run several and close them
 * alike.
 */
export interface Listener {
  readonly host: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** `mpcrp://host:port`, or `mpcrps://` for TLS. */
  readonly url: string;
  /** Stops accepting; existing connections are the server's to close. */
  close(): Promise<void>;
}

export interface TcpListenOptions {
  host: string;
  port: number;
  logger: Logger;
}

export interface TlsListenOptions extends TcpListenOptions {
  /** From {@link tlsServerSettings}: checked certificate material and the TLS policy. */
  tls: TlsServerSettings;
}

function tune(socket: net.Socket): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
}

/** Listens on plain TCP; resolves once bound, rejects with the bind error (e.g. EADDRINUSE). */
export function listenTcp(server: MpcrpServer, options: TcpListenOptions): Promise<Listener> {
  const netServer = net.createServer((socket) => {
    tune(socket);
    server.accept(socket);
  });
  return bind(netServer, options, false);
}

/**
 * Listens for mpcrps://: a connection reaches the server only once its TLS handshake is
 * done. A handshake that fails or stalls past `tls.handshakeTimeout` (plaintext sent to
 * this port, a scanner, a client that distrusts the certificate) is closed with one log
 * line (at most one a second, counting the rest).
 *
 * The port is bound by a plain net.Server that hands each socket to the TLS server only
 * once the MpcrpServer has a place for it ({@link MpcrpServer.reserve}): a socket still in
 * its handshake counts against the one `maxConnections` of every listener, and one over
 * the cap is closed before any TLS work is done for it.
 */
export async function listenTls(server: MpcrpServer, options: TlsListenOptions): Promise<Listener> {
  // Loaded here so a server without TLS (and every client) never pays for node:tls.
  const tls = await import('node:tls');
  // A flood of bad handshakes must not become a log flood: one line a second per kind.
  const refusals = new LogLimiter(options.logger);
  // Sockets still in their handshake, by remote address and port (unique while open),
  // each with the function that gives its place back: close() need not wait out their
  // handshake timeout, and the place moves to the connection once the handshake is done.
  const handshaking = new Map<string, { raw: net.Socket; release: () => void }>();
  const key = (s: net.Socket) => `${s.remoteAddress}|${s.remotePort}`;
  const tlsServer = tls.createServer(options.tls, (socket) => {
    const entry = handshaking.get(key(socket));
    handshaking.delete(key(socket));
    entry?.release();
    tune(socket);
    server.accept(socket);
  });
  tlsServer.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    const stats = server.stats;
    if (stats) stats.tlsHandshakeFailures[handshakeFailure(errorCode(error))]++;
    refusals.warn('TLS handshake failed, closing', {
      remote: socket.remoteAddress,
      reason: describeHandshakeError(error, options.tls.handshakeTimeout),
    });
    // A timed-out handshake is only reported, not closed, by node:tls.
    socket.destroy();
  });
  const netServer = net.createServer((raw) => {
    if (!server.reserve(raw.remoteAddress)) {
      raw.destroy();
      return;
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      server.unreserve();
    };
    const k = key(raw);
    handshaking.set(k, { raw, release });
    raw.once('close', () => {
      release();
      if (handshaking.get(k)?.raw === raw) handshaking.delete(k);
    });
    tlsServer.emit('connection', raw);
  });
  const listener = await bind(netServer, options, true);
  return {
    ...listener,
    close: () => {
      const closed = listener.close();
      for (const { raw } of handshaking.values()) raw.destroy();
      refusals.flush();
      return closed;
    },
  };
}

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? '';
}

function describeHandshakeError(error: Error, timeout: number): string {
  const code = errorCode(error);
  switch (code) {
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return `no TLS handshake within ${timeout} ms`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_HTTP_REQUEST':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return `not TLS (${code}): a plaintext client on the TLS port? plaintext is mpcrp:// on the other port`;
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return 'the client offers only TLS versions below TLS 1.2, which this server refuses';
    case 'ECONNRESET':
      return 'the client closed during the handshake (does it trust this certificate? clients need the CA: --ca FILE)';
    default:
      return code ? `${error.message} (${code})` : error.message;
  }
}

function bind(netServer: net.Server, options: TcpListenOptions, tls: boolean): Promise<Listener> {
  return new Promise((resolve, reject) => {
    netServer.once('error', reject);
    netServer.listen(options.port, options.host, () => {
      netServer.off('error', reject);
      netServer.on('error', (error) => options.logger.error('listener error', { error }));
      const address = netServer.address() as net.AddressInfo;
      const url = formatServerUrl(options.host, address.port, tls);
      resolve({
        host: options.host,
        port: address.port,
        url,
        close: () =>
          new Promise<void>((done) => {
            // The callback waits for every connection to close; the server closes them.
            netServer.close(() => done());
          }),
      });
    });
  });
}
