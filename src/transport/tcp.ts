import net from 'node:net';
import type tls from 'node:tls';
import { ConnectError, TimeoutError, TlsError } from '../errors.js';
import type { ServerAddress } from '../protocol/url.js';
import type { Transport } from './transport.js';

export interface TlsClientOptions {
  /** PEM CA bundle(s) to verify the server against instead of the system roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key (PEM), for servers that reserve names. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Skip certificate verification. Dangerous; never the default. Every dial with it emits
   * a process warning (code {@link INSECURE_WARNING_CODE}), which Node prints on stderr.
   */
  insecure?: boolean;
  /** Name to verify the certificate against; defaults to the URL's host. */
  servername?: string;
}

export interface DialOptions {
  /** Milliseconds to wait for TCP (and TLS) to be up. Default 10,000. */
  connectTimeout?: number;
  tls?: TlsClientOptions;
  /** Gives up at once when aborted (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The `code` of the process warning every dial with `tls.insecure` emits. */
export const INSECURE_WARNING_CODE = 'MPCRP_INSECURE_TLS';

/** Opens a TCP or TLS connection to `address` and resolves once it is usable. */
export async function dial(address: ServerAddress, options: DialOptions = {}): Promise<Transport> {
  const timeout = options.connectTimeout ?? 10_000;
  // node:tls takes ~5 ms to load, a sixth of a CLI send's own start-up; mpcrp:// never needs it.
  const tlsModule = address.tls ? await import('node:tls') : undefined;
  const signal = options.signal;
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    const readyEvent = address.tls ? 'secureConnect' : 'connect';
    if (tlsModule) {
      try {
        socket = connectTls(tlsModule, address, options.tls ?? {});
      } catch (error) {
        reject(error);
        return;
      }
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
      reject(
        new ConnectError(address.url, describeSocketError(error, address.tls), { cause: error }),
      );
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(signal?.reason);
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
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
  });
}

/** Starts the TLS handshake; throws TlsError when the local certificate material is unusable. */
function connectTls(
  tlsModule: typeof tls,
  address: ServerAddress,
  t: TlsClientOptions,
): tls.TLSSocket {
  for (const [what, value] of [
    ['ca', t.ca],
    ['cert', t.cert],
    ['key', t.key],
  ] as const) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && !v.includes('-----BEGIN'))) {
      throw new TlsError(
        `TLS option ${what} is not PEM text (pass the file's contents, not its name; on the command line --${what} FILE reads it)`,
      );
    }
  }
  if ((t.cert === undefined) !== (t.key === undefined)) {
    throw new TlsError(
      'a client certificate needs its key and the key its certificate: give both --cert and --key',
    );
  }
  if (t.insecure) {
    process.emitWarning(
      `TLS certificate verification is OFF for ${address.url} (--insecure): anyone on the network path can read and change this connection. Use --ca FILE instead.`,
      { code: INSECURE_WARNING_CODE },
    );
  }
  try {
    return tlsModule.connect({
      host: address.host,
      port: address.port,
      ca: t.ca,
      cert: t.cert,
      key: t.key,
      rejectUnauthorized: !t.insecure,
      servername: t.servername ?? (net.isIP(address.host) ? undefined : address.host),
      minVersion: 'TLSv1.2',
    });
  } catch (error) {
    throw new TlsError(`cannot use the TLS options: ${describeLocalTlsError(error)}`, {
      cause: error,
    });
  }
}

function describeLocalTlsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
    return 'the client key does not belong to the client certificate (check --cert and --key)';
  }
  if (code.startsWith('ERR_OSSL_PEM') || code.startsWith('ERR_OSSL_ASN1')) {
    return `a certificate or key is not valid PEM (${code}); check the --ca, --cert and --key files`;
  }
  return code ? `${message} (${code})` : message;
}

/** Certificate verification failures (OpenSSL verify codes) that a CA bundle fixes. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

const FIX_TRUST =
  'pass the CA that issued it with --ca FILE (server.ca in the config file, tls.ca in the library), or, for testing only, --insecure';

/**
 * Turns errno and TLS codes into advice a user can act on. `tls` says the connection was
 * mpcrps://, where a reset usually means the port does not speak TLS.
 */
export function describeSocketError(error: Error, tls = false): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED.has(code)) {
    return `server certificate not trusted (${code}: ${error.message}); ${FIX_TRUST}`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running? start one with `mpcrp-bot serve`)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found (check the host in --server / MPCRP_URL)';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ECONNRESET':
      return tls
        ? "connection reset during the TLS handshake (is this the server's TLS port? a plain mpcrp:// port closes on TLS; check the port in --server, or use mpcrp:// for a plaintext port)"
        : 'connection reset by the server';
    case 'CERT_HAS_EXPIRED':
      return 'server certificate has expired (CERT_HAS_EXPIRED); renew it on the server (for testing only, --insecure skips the check)';
    case 'CERT_NOT_YET_VALID':
      return 'server certificate is not valid yet (CERT_NOT_YET_VALID); check the clocks of server and client';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `server certificate does not match the host name (${error.message}); connect by a name or IP the certificate lists in --server, or, for testing only, --insecure`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return "the server did not answer with TLS (ERR_SSL_WRONG_VERSION_NUMBER); it may be a plaintext port: use mpcrp:// or the server's TLS port";
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return `no TLS version in common with the server (${code}); this client speaks TLS 1.2 and 1.3`;
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return 'the server requires a client certificate; pass --cert FILE and --key FILE';
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN':
      return `the server rejected the client certificate (${code}); check --cert and --key, and that the server trusts their CA`;
    default:
      return code ? `${error.message} (${code})` : error.message;
  }
}
