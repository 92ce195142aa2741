import net from 'node:net';
import { ConnectError, TimeoutError } from '../errors.js';
import type { ServerAddress } from '../protocol/url.js';
import type { Transport } from './transport.js';

export interface TlsClientOptions {
  /** PEM CA bundle(s) to verify the server against instead of the system roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key (PEM), for servers that reserve names. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Skip certificate verification. Dangerous; never the default. */
  insecure?: boolean;
  /** Name to verify the certificate against; defaults to the URL's host. */
  servername?: string;
}

export interface DialOptions {
  /** Milliseconds to wait for TCP (and TLS) to be up. Default 10,000. */
  connectTimeout?: number;
  tls?: TlsClientOptions;
}

/** Opens a TCP or TLS connection to `address` and resolves once it is usable. */
export async function dial(address: ServerAddress, options: DialOptions = {}): Promise<Transport> {
  const timeout = options.connectTimeout ?? 10_000;
  // node:tls takes ~5 ms to load, a sixth of a CLI send's own start-up; mpcrp:// never needs it.
  const tls = address.tls ? await import('node:tls') : undefined;
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    const readyEvent = address.tls ? 'secureConnect' : 'connect';
    if (tls) {
      const t = options.tls ?? {};
      socket = tls.connect({
        host: address.host,
        port: address.port,
        ca: t.ca,
        cert: t.cert,
        key: t.key,
        rejectUnauthorized: !t.insecure,
        servername: t.servername ?? (net.isIP(address.host) ? undefined : address.host),
        minVersion: 'TLSv1.2',
      });
    } else {
      socket = net.connect({ host: address.host, port: address.port });
    }
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(
        new ConnectError(address.url, `no answer within ${timeout} ms`, {
          cause: new TimeoutError('connect', timeout),
        }),
      );
    }, timeout);
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(new ConnectError(address.url, describeSocketError(error), { cause: error }));
    };
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(readyEvent, onReady);
    }
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
  });
}

/** Turns errno and TLS codes into advice a user can act on. */
export function describeSocketError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running? start one with `mpcrp-bot serve`)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found (check the host in --server / MPCRP_URL)';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `server certificate not trusted (${code}); pass the issuing CA with --ca FILE (or, for testing only, --insecure)`;
    case 'CERT_HAS_EXPIRED':
      return 'server certificate has expired (CERT_HAS_EXPIRED); renew it on the server';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `server certificate does not match the host name (${error.message}); connect by the name in the certificate`;
    default:
      return code ? `${error.message} (${code})` : error.message;
  }
}
