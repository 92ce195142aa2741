import { dataFrame, RawConn } from './raw-conn.js';
import { pushEvent } from './rpc.js';

let sender: RawConn | undefined;
let room = '';

/** The sending side: registers and creates the room the bot will join. */
export async function echoPrepare(a: { port: number; name: string; room: string }): Promise<void> {
  sender = await RawConn.open(a.port);
  room = a.room;
  if ((await sender.command(1, a.name)) !== '0') throw new Error(`name ${a.name} refused`);
  const created = await sender.command(3, room);
  if (created !== `${room}:0`) throw new Error(`CreateRoom ${room} answered ${created}`);
}

export interface EchoResult {
  echoesPerSecond: number;
  echoes: number;
  seconds: number;
}

/**
 * Keeps `window` messages in flight to the bot: each echo that comes back lets one more
 * go. Counts echoes per second over the measurement window.
 */
export function echoRun(a: {
  window: number;
  warmupMs: number;
  measureMs: number;
  textBytes: number;
}): Promise<EchoResult> {
  const conn = sender;
  if (!conn) return Promise.reject(new Error('echoPrepare first'));
  const one = dataFrame(room, Buffer.alloc(a.textBytes, 'e'));
  let running = true;
  conn.onData = () => {
    if (running) conn.write(one);
  };
  return new Promise((resolve, reject) => {
    let last = -1;
    const watch = setInterval(() => {
      if (conn.closed) finish(new Error('the server closed the sender connection'));
      else if (conn.received === last) finish(new Error(`no echo for 2 s (${last} so far)`));
      last = conn.received;
    }, 2000);
    let t0 = 0;
    let r0 = 0;
    const timers = [
      setTimeout(() => {
        t0 = performance.now();
        r0 = conn.received;
        pushEvent('mark', 'start');
      }, a.warmupMs),
      setTimeout(() => {
        pushEvent('mark', 'end');
        const seconds = (performance.now() - t0) / 1000;
        const echoes = conn.received - r0;
        finish(undefined, { echoes, seconds, echoesPerSecond: echoes / seconds });
      }, a.warmupMs + a.measureMs),
    ];
    function finish(error: Error | undefined, result?: EchoResult): void {
      running = false;
      clearInterval(watch);
      for (const t of timers) clearTimeout(t);
      conn!.close();
      sender = undefined;
      if (error) reject(error);
      else resolve(result!);
    }
    conn.write(Buffer.concat(Array.from({ length: a.window }, () => one)));
  });
}
