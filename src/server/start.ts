import { ConfigError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_PORT } from '../protocol/types.js';
import { listenTcp } from './listeners.js';
import type { ServerOptions } from './options.js';
import { MpcrpServer } from './server.js';

export interface StartServerOptions extends ServerOptions {
  /** Address to bind. Default '127.0.0.1' (this machine only); '0.0.0.0' for all. */
  host?: string;
  /** TCP port. Default 8890; 0 picks a free one (read it from `port` or `url`). */
  port?: number;
  logger?: Logger;
}

/** A listening server, as {@link startServer} returns it. */
export interface RunningServer {
  /** `mpcrp://HOST:PORT`, what clients pass as their server URL. */
  url: string;
  host: string;
  port: number;
  server: MpcrpServer;
  /** Stops accepting, flushes and closes every connection; resolves when all are closed. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';

/**
 * Starts an MPCRP server listening on TCP.
 *
 * @example
 * const running = await startServer({ port: 0 });
 * console.log(`MPCRP_URL=${running.url}`); // mpcrp://127.0.0.1:40123
 * await running.close();
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError([`server port must be an integer from 0 to 65535, got ${port}`]);
  }
  const log = (options.logger ?? silentLogger).child('server');
  const server = new MpcrpServer({ ...options, logger: log });
  const listener = await listenTcp(server, { host, port, logger: log });
  log.info('listening', { url: listener.url });
  let closing: Promise<void> | undefined;
  return {
    url: listener.url,
    host,
    port: listener.port,
    server,
    close: () => {
      closing ??= (async () => {
        const stopped = listener.close();
        await server.close();
        await stopped;
        log.info('stopped', { url: listener.url });
      })();
      return closing;
    },
  };
}
