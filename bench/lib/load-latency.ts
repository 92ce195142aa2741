import { dataFrame, openMany, register } from './raw-conn.js';
import { pushEvent } from './rpc.js';
import { Histogram } from './stats.js';

export interface LatencyArgs {
  port: number;
  /** Room members besides the publisher. */
  subscribers: number;
  /** Messages per second the publisher offers. */
  rate: number;
  textBytes: number;
  warmupMs: number;
  measureMs: number;
  tag: string;
}

export interface LatencyResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  offeredPerSecond: number;
  loadCpuPercent: number;
}

/** Digits of the send time (µs) at the start of each text; the rest is filler. */
const STAMP = 15;

/**
 * One publisher offers `rate` messages/s, paced by a 1 ms timer (each tick sends what is
 * due, in one write), into a room of `subscribers` + 1. Every delivery is timed from the
 * moment its write was issued to the moment its frame is read, in this same process.
 */
export async function latency(a: LatencyArgs): Promise<LatencyResult> {
  const [pub] = await openMany(a.port, 1);
  const subs = await openMany(a.port, a.subscribers);
  await register([pub!], `${a.tag}p`);
  await register(subs, `${a.tag}s`);
  const room = `${a.tag}room`;
  if ((await pub!.command(3, room)) !== `${room}:0`) throw new Error(`CreateRoom ${room} failed`);
  await Promise.all(subs.map((s) => s.command(5, room)));

  const histogram = new Histogram();
  let measuring = false;
  const textAt = 1 + Buffer.byteLength(room);
  for (const s of subs) {
    s.onData = (buf, at) => {
      if (!measuring) return;
      const now = performance.now() * 1000;
      let sent = 0;
      for (let i = at + textAt, end = i + STAMP; i < end; i++) sent = sent * 10 + buf[i]! - 48;
      histogram.record(now - sent);
    };
  }
  const filler = Buffer.alloc(a.textBytes, 0x78);
  const template = dataFrame(room, filler);
  const stampAt = 4 + textAt;

  return new Promise<LatencyResult>((resolve, reject) => {
    let sent = 0;
    const start = performance.now();
    let cpu0 = process.cpuUsage();
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((now - start) * a.rate) / 1000) - sent;
      if (due <= 0) return;
      const stamp = String(Math.round(now * 1000)).padStart(STAMP, '0');
      const burst = Buffer.allocUnsafe(template.length * due);
      for (let i = 0; i < due; i++) {
        template.copy(burst, i * template.length);
        burst.write(stamp, i * template.length + stampAt, 'latin1');
      }
      pub!.write(burst);
      sent += due;
    }, 1);
    setTimeout(() => {
      measuring = true;
      cpu0 = process.cpuUsage();
      pushEvent('mark', 'start');
    }, a.warmupMs);
    setTimeout(() => {
      measuring = false;
      clearInterval(tick);
      pushEvent('mark', 'end');
      const cpu = process.cpuUsage(cpu0);
      const seconds = a.measureMs / 1000;
      for (const c of [pub!, ...subs]) c.close();
      if (histogram.count === 0) {
        reject(new Error('no message arrived in the measurement window'));
        return;
      }
      resolve({
        samples: histogram.count,
        p50Ms: histogram.quantile(0.5) / 1000,
        p99Ms: histogram.quantile(0.99) / 1000,
        maxMs: histogram.max / 1000,
        offeredPerSecond: (sent * 1000) / (performance.now() - start),
        loadCpuPercent: (cpu.user + cpu.system) / 1e4 / seconds,
      });
    }, a.warmupMs + a.measureMs);
  });
}
