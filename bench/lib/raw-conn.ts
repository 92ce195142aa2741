import net from 'node:net';

/**
 * A load-generator connection on a bare socket: it writes prepared frames and walks the
 * headers of what arrives, nothing more, so the load costs far less CPU than the server
 * it drives. Data frames go to `onData`; command responses settle `command()` in order.
 */
export class RawConn {
  readonly socket: net.Socket;
  /** Data (13) and DataFrom (130) frames received. */
  received = 0;
  /** Socket reads ('data' events): received / reads is how well the server batched. */
  reads = 0;
  /** Called per Data frame with the bytes it lies in and where its payload starts. */
  onData: ((buf: Buffer, payloadAt: number, payloadEnd: number) => void) | undefined;
  closed = false;
  #carry: Buffer | undefined;
  #waiting: { type: number; resolve: (payload: string) => void }[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiting) w.resolve('closed');
      this.#waiting = [];
    });
  }

  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConn(socket));
      });
    });
  }

  /** Sends a command frame and resolves with its response payload (as text). */
  command(type: number, payload: string): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting.push({ type: type + 1, resolve });
      this.socket.write(frame(type, Buffer.from(payload)));
    });
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  #frame(buf: Buffer, at: number, end: number): void {
    const type = buf[at]!;
    if (type === 13 || type === 130) {
      this.received++;
      this.onData?.(buf, at + 4, end);
      return;
    }
    const i = this.#waiting.findIndex((w) => w.type === type);
    if (i >= 0) this.#waiting.splice(i, 1)[0]!.resolve(buf.toString('utf8', at + 4, end));
  }

  #read(input: Buffer): void {
    this.reads++;
    let chunk = input;
    let at = 0;
    const carry = this.#carry;
    if (carry) {
      // Finish the frame that straddled the last read, copying only its own bytes.
      this.#carry = undefined;
      if (carry.length < 4) {
        chunk = Buffer.concat([carry, chunk]);
      } else {
        const total = 4 + ((carry[1]! << 16) | (carry[2]! << 8) | carry[3]!);
        const take = Math.min(total - carry.length, chunk.length);
        const grown = Buffer.concat([carry, chunk.subarray(0, take)]);
        if (grown.length < total) {
          this.#carry = grown;
          return;
        }
        this.#frame(grown, 0, total);
        at = take;
      }
    }
    const end = chunk.length;
    while (at + 4 <= end) {
      const next = at + 4 + ((chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!);
      if (next > end) break;
      this.#frame(chunk, at, next);
      at = next;
    }
    if (at < end) this.#carry = Buffer.from(chunk.subarray(at));
  }
}

export function frame(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out[0] = type;
  out.writeUIntBE(payload.length, 1, 3);
  payload.copy(out, 4);
  return out;
}

/** A Data frame to `room` whose text is `text` (ASCII). */
export function dataFrame(room: string, text: Buffer): Buffer {
  const id = Buffer.from(room);
  return frame(13, Buffer.concat([Buffer.from([id.length]), id, text]));
}

/** Opens `count` connections, `parallel` at a time (the listen backlog is finite). */
export async function openMany(port: number, count: number, parallel = 200): Promise<RawConn[]> {
  const conns: RawConn[] = [];
  while (conns.length < count) {
    const batch = Math.min(parallel, count - conns.length);
    conns.push(...(await Promise.all(Array.from({ length: batch }, () => RawConn.open(port)))));
  }
  return conns;
}

/** Sets every connection's name (`prefix` + index); throws if any is refused. */
export async function register(conns: RawConn[], prefix: string, parallel = 500): Promise<void> {
  for (let i = 0; i < conns.length; i += parallel) {
    const batch = conns.slice(i, i + parallel);
    const answers = await Promise.all(batch.map((c, j) => c.command(1, `${prefix}${i + j}`)));
    const bad = answers.findIndex((a) => a !== '0');
    if (bad >= 0) throw new Error(`SetUserName ${prefix}${i + bad} answered '${answers[bad]}'`);
  }
}
