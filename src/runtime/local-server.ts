import { ConnectError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseServerUrl } from '../protocol/url.js';
import type { RunningServer, StartServerOptions } from '../server/start.js';
import { dial } from '../transport/tcp.js';

export interface LocalServerChoice {
  url: string;
  /** Set when we started a server in this process. */
  embedded: RunningServer | undefined;
}

/** Starts the in-process server (loaded only when one is needed). */
export async function startEmbedded(options: StartServerOptions): Promise<RunningServer> {
  const { startServer } = await import('../server/start.js');
  return startServer(options);
}

/**
 * For `run` with no server configured: use the server listening at the default address,
 * or, when nothing listens there (connection refused), start one in this process so a bot
 * works on a fresh machine. Any other failure keeps the URL: the runtime then retries it.
 */
export async function connectOrEmbed(
  url: string,
  options: Omit<StartServerOptions, 'host' | 'port'> & { logger: Logger },
): Promise<LocalServerChoice> {
  const address = parseServerUrl(url);
  try {
    const probe = await dial(address, { connectTimeout: 2000 });
    probe.destroy();
    return { url: address.url, embedded: undefined };
  } catch (error) {
    const code = error instanceof ConnectError ? errnoOf(error.cause) : undefined;
    if (code !== 'ECONNREFUSED' || address.tls) return { url: address.url, embedded: undefined };
  }
  try {
    const embedded = await startEmbedded({ ...options, host: address.host, port: address.port });
    return { url: embedded.url, embedded };
  } catch (error) {
    // Someone else started one between our probe and our listen: use theirs.
    if (errnoOf(error) === 'EADDRINUSE' || errnoOf((error as Error)?.cause) === 'EADDRINUSE') {
      return { url: address.url, embedded: undefined };
    }
    throw error;
  }
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
