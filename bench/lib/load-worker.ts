/**
 * Child process that generates load: every publisher and subscriber of a scenario lives
 * here, apart from the server process, on bare sockets (raw-conn.ts).
 */
import { echoPrepare, echoRun } from './load-echo.js';
import { fanout } from './load-fanout.js';
import { latency } from './load-latency.js';
import { dataFrame, openMany, RawConn, register } from './raw-conn.js';
import { serveParent } from './rpc.js';

let idle: RawConn[] = [];
let listener: RawConn | undefined;

serveParent({
  fanout,
  latency,
  echoPrepare,
  echoRun,
  /** Opens and registers `count` more idle connections; they stay open until closeAll. */
  async idleOpen(a: { port: number; count: number; prefix: string }): Promise<number> {
    const conns = await openMany(a.port, a.count);
    idle.push(...conns);
    await register(conns, a.prefix);
    return idle.length;
  },
  closeAll(): void {
    for (const c of idle) c.close();
    idle = [];
    listener?.close();
    listener = undefined;
  },
  /** A member of `room` that counts what it receives (checks the CLI really delivered). */
  async listen(a: { port: number; name: string; room: string }): Promise<void> {
    listener = await RawConn.open(a.port);
    if ((await listener.command(1, a.name)) !== '0') throw new Error(`name ${a.name} refused`);
    const answer = await listener.command(3, a.room);
    if (answer !== `${a.room}:0`) throw new Error(`CreateRoom ${a.room} answered ${answer}`);
  },
  received(): number {
    return listener?.received ?? 0;
  },
  /** Sends one Data frame from the listener (e.g. to poke an echo bot). */
  say(a: { room: string; text: string }): void {
    listener?.write(dataFrame(a.room, Buffer.from(a.text)));
  },
});
