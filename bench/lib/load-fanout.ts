import { dataFrame, openMany, type RawConn, register } from './raw-conn.js';
import { pushEvent } from './rpc.js';

export interface FanoutArgs {
  port: number;
  publishers: number;
  subscribers: number;
  textBytes: number;
  warmupMs: number;
  measureMs: number;
  /** Messages each publisher sends per round, in one write. */
  batch: number;
  /** Rounds in flight: a publisher never runs more than this many rounds ahead of the slowest receiver. */
  depth: number;
  /** Short unique prefix for names and the room (<= 8 characters). */
  tag: string;
  /**
   * Cluster runs: the subscribers are spread over these ports in turn (publishers stay on
   * `port`). Default: all on `port`.
   */
  subscriberPorts?: number[];
}

export interface FanoutResult {
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  messagesPerSecond: number;
  /** CPU the load generator itself used in the window, in % of one core. */
  loadCpuPercent: number;
  maxQueuedBytesPerReceiver: number;
  /** Frames per socket read at the subscribers, over the whole run: the server's batching. */
  framesPerRead: number;
}

/** Every publisher and subscriber in one room; members are all receivers of the others. */
async function setUp(a: FanoutArgs): Promise<{ pubs: RawConn[]; subs: RawConn[]; room: string }> {
  const pubs = await openMany(a.port, a.publishers);
  const ports = a.subscriberPorts ?? [a.port];
  const subs = (
    await Promise.all(
      ports.map((port, i) =>
        openMany(
          port,
          Math.floor(a.subscribers / ports.length) + (i < a.subscribers % ports.length ? 1 : 0),
        ),
      ),
    )
  ).flat();
  await register(pubs, `${a.tag}p`);
  await register(subs, `${a.tag}s`);
  const room = `${a.tag}room`;
  const created = await pubs[0]!.command(3, room);
  if (created !== `${room}:0`) throw new Error(`CreateRoom ${room} answered ${created}`);
  const joined = await Promise.all([...pubs.slice(1), ...subs].map((c) => c.command(5, room)));
  const bad = joined.find((j) => j !== `${room}:0`);
  if (bad !== undefined) throw new Error(`JoinRoom ${room} answered ${bad}`);
  return { pubs, subs, room };
}

/**
 * Publishers send in rounds of `batch` messages each and stay at most `depth` rounds
 * ahead of the slowest receiver, so no receiver can fall behind far enough to be cut off
 * as a slow consumer: the figure is what the server sustains, not what it buffers.
 */
export async function fanout(a: FanoutArgs): Promise<FanoutResult> {
  const { pubs, subs, room } = await setUp(a);
  const text = Buffer.alloc(a.textBytes, 0x78);
  const burst = Buffer.concat(Array.from({ length: a.batch }, () => dataFrame(room, text)));
  const P = pubs.length;
  const receivers = [
    ...pubs.map((conn) => ({ conn, perRound: (P - 1) * a.batch })),
    ...subs.map((conn) => ({ conn, perRound: P * a.batch })),
  ].filter((r) => r.perRound > 0);

  const ring = new Int32Array(a.depth + 1);
  let roundsSent = 0;
  let roundsDone = 0;
  let delivered = 0;
  let running = true;
  const pump = (): void => {
    while (running && roundsSent - roundsDone < a.depth) {
      for (const p of pubs) p.write(burst);
      roundsSent++;
    }
  };
  for (const r of receivers) {
    let got = 0;
    let next = r.perRound;
    let done = 0;
    r.conn.onData = () => {
      delivered++;
      got++;
      while (got >= next) {
        next += r.perRound;
        const slot = done++ % ring.length;
        if (++ring[slot]! === receivers.length) {
          ring[slot] = 0;
          roundsDone++;
          pump();
        }
      }
    };
  }

  const all = [...pubs, ...subs];
  return new Promise<FanoutResult>((resolve, reject) => {
    let lastDelivered = -1;
    const fail = (why: string): void => {
      running = false;
      clearInterval(watch);
      clearTimeout(startTimer);
      clearTimeout(endTimer);
      for (const c of all) c.close();
      reject(new Error(why));
    };
    const watch = setInterval(() => {
      const closed = all.filter((c) => c.closed).length;
      if (closed > 0) fail(`${closed} load connections were closed by the server mid-run`);
      else if (delivered === lastDelivered) fail(`no delivery for 2 s (${delivered} so far)`);
      lastDelivered = delivered;
    }, 2000);
    let t0 = 0;
    let d0 = 0;
    let cpu0 = process.cpuUsage();
    const startTimer = setTimeout(() => {
      t0 = performance.now();
      d0 = delivered;
      cpu0 = process.cpuUsage();
      pushEvent('mark', 'start');
    }, a.warmupMs);
    const endTimer = setTimeout(() => {
      const seconds = (performance.now() - t0) / 1000;
      const deliveries = delivered - d0;
      const cpu = process.cpuUsage(cpu0);
      pushEvent('mark', 'end');
      running = false;
      const result: FanoutResult = {
        deliveries,
        seconds,
        deliveriesPerSecond: deliveries / seconds,
        messagesPerSecond: deliveries / seconds / (P - 1 + subs.length),
        loadCpuPercent: (cpu.user + cpu.system) / 1e4 / seconds,
        maxQueuedBytesPerReceiver: a.depth * P * burst.length,
        framesPerRead:
          subs.reduce((n, c) => n + c.received, 0) / subs.reduce((n, c) => n + c.reads, 0),
      };
      // Let what is in flight arrive, then hang up.
      const drained = (): void => {
        if (roundsDone >= roundsSent) {
          clearInterval(watch);
          for (const c of all) c.close();
          resolve(result);
        } else setTimeout(drained, 10);
      };
      drained();
    }, a.warmupMs + a.measureMs);
    pump();
  });
}
