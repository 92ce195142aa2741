import { ConfigError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

const EXPECTED = 'HOST:PORT such as 127.0.0.1:9464, [::1]:9464 or :9464 (port 0 picks a free one)';

/**
 * Reads the HTTP listener's address: `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (host
 * 127.0.0.1, this machine only). `what` names the source for the error (`--http`, `http.listen`).
 */
export function parseListenAddress(value: string, what: string): ListenAddress {
  const text = value.trim();
  const match = /^(?:(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):)?(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || !(port >= 0 && port <= 65_535)) {
    throw new ConfigError([
      `${what}: ${JSON.stringify(value)} is not an address to listen on (expected ${EXPECTED})`,
    ]);
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

/** `http://host:port`, IPv6 hosts in brackets. */
export function formatHttpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
