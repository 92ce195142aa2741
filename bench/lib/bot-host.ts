/**
 * Child process that runs one echo bot against the server: `runtime` is the real bot
 * runtime (src/runtime) with an echo plugin written as bots/echo.ts is; `client` is the
 * same echo hand-written on the client library with nothing in between; `raw` is the
 * yardstick, an echo on `node:net` that parses frames and writes them back, no framework.
 */
import net from 'node:net';
import { serveParent } from './rpc.js';

let stop: (() => Promise<void>) | undefined;

interface StartArgs {
  port: number;
  name: string;
  room: string;
  /** Directory of the library as users run it (dist/, compiled by tsc). */
  lib: string;
}

serveParent({
  async runtime(a: StartArgs): Promise<void> {
    const { createRuntime } = (await import(
      `${a.lib}/runtime/index.js`
    )) as typeof import('../../src/runtime/index.js');
    const { defineBot } = (await import(
      `${a.lib}/bot/index.js`
    )) as typeof import('../../src/bot/index.js');
    const { createLogger } = (await import(`${a.lib}/log.js`)) as typeof import('../../src/log.js');
    const echo = defineBot({
      name: 'echo',
      setup(bot) {
        bot.onMessage((ctx) => {
          if (ctx.text !== '') ctx.reply(ctx.text);
        });
      },
    });
    const runtime = createRuntime({
      server: `mpcrp://127.0.0.1:${a.port}`,
      username: a.name,
      rooms: [a.room],
      plugins: [echo],
      // The default 5 msg/s per room protects a real room; here it would be the figure.
      outbox: { rate: 1e9, burst: 1e9, limit: 100_000 },
      // Likewise loop protection: one client sending as fast as it can is the load here.
      loopGuard: false,
      logger: createLogger({ level: 'warn' }),
    });
    await runtime.start();
    stop = () => runtime.stop();
  },
  async client(a: StartArgs): Promise<void> {
    const { connect } = (await import(
      `${a.lib}/client/index.js`
    )) as typeof import('../../src/client/index.js');
    const client = await connect(`mpcrp://127.0.0.1:${a.port}`, { username: a.name });
    await client.joinRoom(a.room);
    client.on('message', (m) => {
      if (m.text !== '') client.send(m.room, m.text);
    });
    stop = () => client.close();
  },
  async raw(a: StartArgs): Promise<void> {
    const socket = net.connect(a.port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => resolve());
    });
    const answers: ((type: number) => void)[] = [];
    const answer = (type: number, payload: string): Promise<void> =>
      new Promise((resolve, reject) => {
        answers.push((got) =>
          got === type + 1 ? resolve() : reject(new Error(`${type} answered ${got}`)),
        );
        socket.write(rawFrame(type, Buffer.from(payload)));
      });
    let carry: Buffer | undefined;
    socket.on('data', (input: Buffer) => {
      const chunk = carry ? Buffer.concat([carry, input]) : input;
      carry = undefined;
      // The replies to one read go out in one write, as a careful hand-written echo does.
      const replies: Buffer[] = [];
      let at = 0;
      while (at + 4 <= chunk.length) {
        const end = at + 4 + ((chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!);
        if (end > chunk.length) break;
        const type = chunk[at]!;
        if (type === 13) {
          // What a bot needs: the room and the text as strings, a Data frame built back.
          const roomEnd = at + 5 + chunk[at + 4]!;
          const room = chunk.toString('latin1', at + 5, roomEnd);
          const text = chunk.toString('utf8', roomEnd, end);
          if (text !== '') replies.push(rawData(room, text));
        } else {
          answers.shift()?.(type);
        }
        at = end;
      }
      if (at < chunk.length) carry = Buffer.from(chunk.subarray(at));
      if (replies.length > 0)
        socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies));
    });
    await answer(1, a.name);
    await answer(5, a.room);
    stop = () =>
      new Promise((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
      });
  },
  cpu(): NodeJS.CpuUsage {
    return process.cpuUsage();
  },
  async stop(): Promise<void> {
    await stop?.();
    setImmediate(() => process.exit(0));
  },
});

function rawFrame(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out[0] = type;
  out.writeUIntBE(payload.length, 1, 3);
  payload.copy(out, 4);
  return out;
}

function rawData(room: string, text: string): Buffer {
  const textBytes = Buffer.byteLength(text);
  const length = 1 + room.length + textBytes;
  const out = Buffer.allocUnsafe(4 + length);
  out[0] = 13;
  out[1] = length >>> 16;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  out[4] = room.length;
  out.write(room, 5, 'latin1');
  out.write(text, 5 + room.length, 'utf8');
  return out;
}
