/**
 * Shared set-up of the TLS tests: one throwaway PKI per test file, a real server on
 * 127.0.0.1 with both listeners on port 0, and raw TLS sockets for handshake-level checks.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach } from 'vitest';
import type { MpcrpClient } from '../../src/client/client.js';
import { createLogger } from '../../src/log.js';
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
} from '../../src/server/index.js';
import type { ServerTlsOptions } from '../../src/server/tls.js';
import { createTestPki } from './certs.js';

export const pki = createTestPki();

const running: RunningServer[] = [];
const sockets: net.Socket[] = [];
const clients: MpcrpClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(() => pki.remove());

export interface TlsHarness {
  running: RunningServer;
  /** The TLS listener's port. */
  tlsPort: number;
  /** `mpcrps://127.0.0.1:PORT`. */
  tlsUrl: string;
  /** Log lines of the server, level debug and up. */
  logs: string[];
  /** Resolves once a log line matches `pattern` (checked on every new line). */
  logged(pattern: RegExp): Promise<string>;
}

/**
 * Starts a server with the test PKI's server certificate (and its CA for client
 * certificates unless `tls.ca` is given as undefined); both listeners on port 0.
 */
export async function serveTls(
  options: Omit<StartServerOptions, 'tls'> & { tls?: Partial<ServerTlsOptions> } = {},
): Promise<TlsHarness> {
  const logs: string[] = [];
  const watchers = new Set<() => void>();
  const logger = createLogger({
    level: 'debug',
    write: (line) => {
      logs.push(line);
      for (const w of [...watchers]) w();
    },
  });
  const server = await startServer({
    logger,
    ...options,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, port: 0, ...options.tls },
  });
  running.push(server);
  const logged = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const line = logs.find((l) => pattern.test(l));
        if (line === undefined) return;
        watchers.delete(check);
        resolve(line);
      };
      watchers.add(check);
      check();
    });
  return {
    running: server,
    tlsPort: server.tlsPort!,
    tlsUrl: server.tlsUrl!,
    logs,
    logged,
  };
}

/** Closes `c` after the test. */
export function track<T extends MpcrpClient>(c: T): T {
  clients.push(c);
  return c;
}

/** A plain TCP socket to `port` (e.g. the TLS port, to speak plaintext at it). */
export function rawTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/** A TLS socket to `port` after its handshake; rejects with the handshake error. */
export function rawTls(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert, ...options });
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/** Resolves when `socket` has closed. */
export function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}
