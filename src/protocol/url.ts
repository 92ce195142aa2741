import { InvalidUrlError } from '../errors.js';
import { DEFAULT_PORT } from './types.js';

export const DEFAULT_URL = `mpcrp://127.0.0.1:${DEFAULT_PORT}`;

export interface ServerAddress {
  host: string;
  port: number;
  tls: boolean;
  /** Normalised `mpcrp://host:port` form, for logs and messages. */
  url: string;
}

/**
 * Parses `mpcrp://host[:port]` or `mpcrps://host[:port]` (TLS). A bare `host:port`
 * is accepted as plain MPCRP. The port defaults to 8890.
 *
 * @example
 * parseServerUrl('mpcrps://chat.example:9000'); // { host: 'chat.example', port: 9000, tls: true, ... }
 */
export function parseServerUrl(input: string): ServerAddress {
  const raw = input.trim();
  if (raw === '') throw new InvalidUrlError(input, 'it is empty');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `mpcrp://${raw}`;
  const typedPort = /:(\d+)\/?$/.exec(withScheme)?.[1];
  if (typedPort !== undefined && Number(typedPort) > 65535) {
    throw new InvalidUrlError(input, `port ${typedPort} is out of range (1 to 65535)`);
  }
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new InvalidUrlError(input, 'it is not a URL', { cause });
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'mpcrp' && scheme !== 'mpcrps') {
    throw new InvalidUrlError(input, `unknown scheme '${scheme}'`);
  }
  if (url.hostname === '') throw new InvalidUrlError(input, 'it has no host');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new InvalidUrlError(input, 'it has a path, query or fragment');
  }
  if (url.username || url.password) {
    throw new InvalidUrlError(input, 'credentials in the URL are not supported');
  }
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  if (port === 0) throw new InvalidUrlError(input, 'port 0 cannot be connected to');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    host,
    port,
    tls: scheme === 'mpcrps',
    url: formatServerUrl(host, port, scheme === 'mpcrps'),
  };
}

export function formatServerUrl(host: string, port: number, tls = false): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'mpcrps' : 'mpcrp'}://${h}:${port}`;
}
