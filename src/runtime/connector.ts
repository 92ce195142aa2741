import {
  type ClientOptions,
  type ConnectOptions,
  connect,
  type MpcrpClient,
} from '../client/index.js';
import { ErrorCode, MpcrpError, NameTakenError } from '../errors.js';
import type { Logger } from '../log.js';
import { Extension } from '../protocol/types.js';
import type { TlsClientOptions } from '../transport/tcp.js';
import { Backoff, type BackoffOptions } from './backoff.js';

export interface ConnectorOptions {
  url: string;
  username: string;
  /** Ask for the sender and presence extensions. */
  extensions: boolean;
  tls?: TlsClientOptions;
  /** Milliseconds per connect attempt: TCP, TLS, SetUserName and Hello together. Default 10,000. */
  connectTimeout?: number;
  client?: ClientOptions;
  reconnect?: BackoffOptions;
  logger: Logger;
  /** Replaces `connect` (tests). */
  connect?: (url: string, options: ConnectOptions) => Promise<MpcrpClient>;
}

/** Errors no retry can fix: the user has to change something. */
const FATAL = new Set<string>([ErrorCode.InvalidName, ErrorCode.InvalidUrl, ErrorCode.Config]);

/**
 * Opens connections with the username set, retrying with backoff for as long as it takes:
 * an unreachable server, or the name still held by our own previous connection (the server
 * releases it only once it notices that connection is gone), is a matter of time.
 */
export class Connector {
  readonly backoff: Backoff;
  #options: ConnectorOptions;
  #log: Logger;
  #onStop = new Set<() => void>();
  #stopped = false;
  /** stop() aborts the attempt under way, whatever stage it is in. */
  #abort = new AbortController();

  constructor(options: ConnectorOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.backoff = new Backoff(options.reconnect);
  }

  /**
   * Resolves with a client whose username is set, or `undefined` when stop() is called
   * first. Rejects only for errors that retrying cannot fix (an invalid name, a bad URL).
   */
  async open(): Promise<MpcrpClient | undefined> {
    const o = this.#options;
    const connectFn = o.connect ?? connect;
    while (!this.#stopped) {
      const attempt = this.backoff.attempt + 1;
      this.#log.debug('connecting', { url: o.url, user: o.username, attempt });
      try {
        const client = await connectFn(o.url, {
          ...o.client,
          username: o.username,
          extensions: o.extensions ? [Extension.Sender, Extension.Presence] : false,
          ...(o.tls ? { tls: o.tls } : {}),
          ...(o.connectTimeout !== undefined ? { connectTimeout: o.connectTimeout } : {}),
          signal: this.#abort.signal,
        });
        if (this.#stopped) {
          client.destroy();
          return undefined;
        }
        return client;
      } catch (error) {
        if (this.#stopped) return undefined;
        if (error instanceof MpcrpError && FATAL.has(error.code)) throw error;
        const delay = this.backoff.next();
        if (error instanceof NameTakenError) {
          this.#log.warn('username still taken (an old connection may hold it); retrying', {
            user: o.username,
            attempt,
            retryIn: `${delay}ms`,
          });
        } else {
          this.#log.warn('cannot connect; retrying', {
            url: o.url,
            attempt,
            retryIn: `${delay}ms`,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        await this.sleep(delay);
      }
    }
    return undefined;
  }

  /** Ends open()'s retries (it resolves `undefined`) and any sleep(). */
  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    for (const cancel of this.#onStop) cancel();
    this.#onStop.clear();
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Waits `ms`, or less when stop() is called meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#onStop.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#onStop.add(done);
    });
  }
}
