import type { Logger } from '../log.js';
import type { TlsClientOptions } from '../transport/tcp.js';
import type { BackoffOptions } from './backoff.js';
import type { OutboxOptions } from './outbox.js';

export interface RuntimeCoreOptions {
  /** `mpcrp://host:port` or `mpcrps://host:port`. */
  server: string | URL;
  username: string;
  /** Rooms to be in; each is joined, or created when missing. */
  rooms?: readonly string[];
  /** Without the presence extension: milliseconds between user-list polls. Default 2000. */
  presenceInterval?: number;
  /** Reconnect backoff. Default 250 ms doubling up to 30 s, full jitter. */
  reconnect?: BackoffOptions;
  /** Default 5 messages/s per room, burst 10, 1000 held. */
  outbox?: OutboxOptions;
  /** Ask for the sender and presence extensions. Default true. */
  extensions?: boolean;
  tls?: TlsClientOptions;
  /** Milliseconds per connect attempt. Default 10,000. */
  connectTimeout?: number;
  /** Milliseconds for each server request. Default 10,000. */
  requestTimeout?: number;
  /** Largest frame, as the server allows it. Default 64 KiB. */
  maxPayload?: number;
  /** Milliseconds stop() waits for the outbox to empty. Default 5000. */
  flushTimeout?: number;
  logger?: Logger;
}

export interface RuntimeEvents {
  /** Connected, rooms entered and user lists read; `reconnected` after a drop. */
  ready: [info: { reconnected: boolean }];
  /** The connection dropped; a reconnect is on its way. */
  disconnected: [error: Error | undefined];
}
