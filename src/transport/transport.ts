/**
 * The seam between protocol code and the network. Protocol code (server connections,
 * the client) talks to a Transport, never to a socket, so the same code runs over TCP,
 * TLS or an in-memory pair. `net.Socket` and `tls.TLSSocket` satisfy it as they are.
 */
export interface Transport {
  /** Queues bytes; returns false once the queue is above the high-water mark. */
  write(chunk: Uint8Array): boolean;
  /** Flushes what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping anything queued. */
  destroy(error?: Error): void;
  /** Stops 'data' events until resume(); TCP then pushes back on the peer. */
  pause(): void;
  resume(): void;
  /** Bytes queued and not yet handed to the OS. */
  readonly writableLength: number;
  readonly remoteAddress?: string | undefined;
  readonly destroyed: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'drain', listener: () => void): this;
  on(event: 'close', listener: (hadError: boolean) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  // biome-ignore lint/suspicious/noExplicitAny: mirrors EventEmitter's own signature
  off(event: string, listener: (...args: any[]) => void): this;
  removeAllListeners(event?: string): this;
}
