import net from 'node:net';
import type { Logger } from '../log.js';
import { formatServerUrl } from '../protocol/url.js';
import type { MpcrpServer } from './server.js';

/**
 * A bound socket that feeds accepted connections to an {@link MpcrpServer}. Listener
 * kinds (plain TCP here; TLS and connection caps later) share this shape, so startServer
 * can run several and close them alike.
 */
export interface Listener {
  readonly host: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly url: string;
  /** Stops accepting; existing connections are the server's to close. */
  close(): Promise<void>;
}

export interface TcpListenOptions {
  host: string;
  port: number;
  logger: Logger;
}

/** Listens on plain TCP; resolves once bound, rejects with the bind error (e.g. EADDRINUSE). */
export function listenTcp(server: MpcrpServer, options: TcpListenOptions): Promise<Listener> {
  const netServer = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    server.accept(socket);
  });
  return new Promise((resolve, reject) => {
    netServer.once('error', reject);
    netServer.listen(options.port, options.host, () => {
      netServer.off('error', reject);
      netServer.on('error', (error) => options.logger.error('listener error', { error }));
      const address = netServer.address() as net.AddressInfo;
      const url = formatServerUrl(options.host, address.port);
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
