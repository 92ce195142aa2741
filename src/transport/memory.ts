import { EventEmitter } from 'node:events';
import type { Transport } from './transport.js';

/**
 * One end of an in-memory transport pair. Writes arrive at the peer on a later tick,
 * as they would from a socket, so code under test sees the same asynchrony.
 */
class MemoryTransport extends EventEmitter implements Transport {
  peer: MemoryTransport | undefined;
  remoteAddress = 'memory';
  destroyed = false;
  writableLength = 0;
  #paused = false;
  #inbox: Buffer[] = [];
  #ending = false;

  write(chunk: Uint8Array): boolean {
    if (this.destroyed || this.#ending) return false;
    const copy = Buffer.from(chunk);
    this.writableLength += copy.length;
    setImmediate(() => {
      this.writableLength -= copy.length;
      this.peer?.deliver(copy);
      if (this.writableLength === 0) this.emit('drain');
    });
    return true;
  }

  deliver(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.#paused) this.#inbox.push(chunk);
    else this.emit('data', chunk);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    while (!this.#paused && this.#inbox.length > 0) this.emit('data', this.#inbox.shift()!);
  }

  end(): void {
    this.#ending = true;
    // Runs after any pending writes' setImmediate callbacks.
    setImmediate(() => {
      this.destroy();
    });
  }

  destroy(error?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (error) this.emit('error', error);
    this.emit('close', error !== undefined);
    const peer = this.peer;
    this.peer = undefined;
    if (peer && !peer.destroyed) setImmediate(() => peer.destroy());
  }
}

/**
 * Creates two connected in-memory transports, e.g. to run a client against an embedded
 * server without a socket.
 *
 * @example
 * const [clientSide, serverSide] = memoryTransportPair();
 * server.accept(serverSide);
 * const client = new MpcrpClient(clientSide);
 */
export function memoryTransportPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
