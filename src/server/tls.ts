import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { TlsOptions } from 'node:tls';
import { ConfigError } from '../errors.js';

/** TLS port of `serve` and {@link startServer} when TLS is configured and no port is given. */
export const DEFAULT_TLS_PORT = 8891;
/** Milliseconds a TLS client has to finish the handshake. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/** The TLS listener of {@link startServer}: its certificate, client CA, port and timeout. */
export interface ServerTlsOptions {
  /** PEM certificate (chain) the server presents. */
  cert: string | Buffer;
  /** PEM private key of `cert` (unencrypted). */
  key: string | Buffer;
  /**
   * PEM CA bundle that issues client certificates. With it the server asks every TLS
   * client for a certificate (optional for the client) and can grant reserved names.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Port of the mpcrps:// listener. Default 8891; 0 picks a free one. */
  port?: number;
  /** Milliseconds a client has to complete the handshake before it is dropped. Default 10,000. */
  handshakeTimeout?: number;
}

/** What tls.createServer gets: checked material and the fixed policy. */
export type TlsServerSettings = TlsOptions & { handshakeTimeout: number };

/**
 * Checks the certificate, key and CA and returns the options of the TLS server: TLS 1.2 or
 * later, a client certificate requested when `ca` is set but never required (ordinary
 * users still connect; reserved names check the certificate themselves).
 * Throws one {@link ConfigError} that says which part is wrong.
 */
export function tlsServerSettings(options: ServerTlsOptions): TlsServerSettings {
  const issues: string[] = [];
  const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  if (
    !Number.isInteger(handshakeTimeout) ||
    handshakeTimeout < 1 ||
    handshakeTimeout > 2 ** 31 - 1
  ) {
    issues.push(
      `server option tls.handshakeTimeout must be an integer from 1 to ${2 ** 31 - 1} (ms), got ${handshakeTimeout}`,
    );
  }
  const cert = parse(
    issues,
    'tls.cert (serve --tls-cert)',
    'a PEM certificate',
    () => new X509Certificate(options.cert),
  );
  const key = parse(issues, 'tls.key (serve --tls-key)', 'an unencrypted PEM private key', () =>
    createPrivateKey(options.key),
  );
  if (cert && key && !matches(cert, key)) {
    issues.push(
      'server TLS key (tls.key / --tls-key) does not belong to the certificate (tls.cert / --tls-cert); give the key the certificate was issued for',
    );
  }
  if (options.ca !== undefined) {
    parse(issues, 'tls.ca (serve --tls-ca)', 'a PEM CA bundle', () => readBundle(options.ca!));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    cert: options.cert,
    key: options.key,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    requestCert: options.ca !== undefined,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    handshakeTimeout,
  };
}

/** When the server certificate stops being valid, for a warning at start. */
export function certificateExpiry(cert: string | Buffer): Date | undefined {
  try {
    return new Date(new X509Certificate(cert).validTo);
  } catch {
    return undefined;
  }
}

function parse<T>(issues: string[], what: string, expected: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = error instanceof Error ? error.message : String(error);
    issues.push(
      `server ${what} is not ${expected} (${code ?? reason}); give the PEM file's contents`,
    );
    return undefined;
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a bundle; Node would skip unreadable ones without a word. */
function readBundle(ca: NonNullable<ServerTlsOptions['ca']>): X509Certificate[] {
  const blocks = (Array.isArray(ca) ? ca : [ca]).flatMap(
    (pem) => pem.toString().match(PEM_CERT) ?? [],
  );
  if (blocks.length === 0) throw new Error('no certificate in it');
  return blocks.map((block) => new X509Certificate(block));
}

function matches(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}
