/**
 * The fan-out's own CPU cost, without sockets: the real server on fake transports that
 * drop what they are given, one publisher sending 50 Data frames (64 B texts) per chunk
 * into a room of N members. Prints CPU nanoseconds per delivery (median of 5 rounds),
 * which moves by a few percent between runs where the TCP scenario's moves by 2x: the
 * figure to compare two versions of src/server (see docs/performance.md).
 *
 * Room sizes below ~30 would pass the server's 1,000,000 frames/s flood control; refused.
 *
 *   node --import tsx bench/inprocess-fanout.ts                  # this tree, 1 -> 50 and 1 -> 200
 *   node --import tsx bench/inprocess-fanout.ts --src /tmp/base/src --members 201
 *   node --import tsx bench/inprocess-fanout.ts --stats           # with the metrics counters
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    src: { type: 'string', default: resolve(import.meta.dirname, '../src') },
    members: { type: 'string', default: '51,201' },
    seconds: { type: 'string', default: '3' },
    stats: { type: 'boolean', default: false },
  },
});
const src = resolve(values.src!);
const { MpcrpServer } = (await import(
  `${src}/server/server.ts`
)) as typeof import('../src/server/server.js');

/** Takes every write and keeps only the byte count; never pushes back. */
class NullTransport extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  destroyed = false;
  writableLength = 0;
  written = 0;
  write(chunk: Uint8Array): boolean {
    this.written += chunk.length;
    return true;
  }
  pause(): void {}
  resume(): void {}
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close', false);
  }
}

function frame(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out[0] = type;
  out.writeUIntBE(payload.length, 1, 3);
  payload.copy(out, 4);
  return out;
}

const turn = () => new Promise((done) => setImmediate(done));

async function measure(members: number, seconds: number): Promise<number[]> {
  const stats = values.stats
    ? new (
        (await import(`${src}/server/stats.ts`)) as typeof import('../src/server/stats.js')
      ).ServerStats()
    : undefined;
  const server = new MpcrpServer({
    frameRate: 1e6,
    frameBurst: 1e6,
    maxConnections: 20_000,
    ...(stats ? { stats } : {}),
  });
  const peers = Array.from({ length: members }, () => new NullTransport());
  for (const t of peers) server.accept(t as never);
  const room = Buffer.from('room');
  for (const [i, t] of peers.entries()) t.emit('data', frame(1, Buffer.from(`u${i}`)));
  await turn();
  peers[0]!.emit('data', frame(3, room));
  await turn();
  for (const t of peers.slice(1)) t.emit('data', frame(5, room));
  await turn();
  const one = frame(13, Buffer.concat([Buffer.from([room.length]), room, Buffer.alloc(64, 0x61)]));
  const batch = Buffer.concat(Array.from({ length: 50 }, () => one));
  const publisher = peers[0]!;
  const probe = peers[members - 1]!;
  const before = probe.written;
  publisher.emit('data', Buffer.from(batch));
  await turn();
  if (probe.written - before !== batch.length) throw new Error('the room did not get the batch');

  const round = async (ms: number): Promise<number> => {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    let messages = 0;
    while (performance.now() - t0 < ms) {
      // A fresh chunk each time, as a socket delivers; four reads per turn, one flush.
      for (let k = 0; k < 4; k++) publisher.emit('data', Buffer.from(batch));
      messages += 200;
      await turn();
    }
    const used = process.cpuUsage(cpu);
    if (messages / ((performance.now() - t0) / 1000) > 900_000) {
      // Flood control would pause the publisher and the figure would measure its timers.
      throw new Error(`over 900k frames/s from one publisher: use more --members than ${members}`);
    }
    return ((used.user + used.system) * 1000) / (messages * (members - 1));
  };
  await round(500); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) rounds.push(await round((seconds * 1000) / 5));
  await server.close();
  return rounds.sort((a, b) => a - b);
}

for (const members of values.members!.split(',').map(Number)) {
  const rounds = await measure(members, Number(values.seconds));
  process.stdout.write(
    `1 -> ${members - 1}: ${rounds[2]!.toFixed(1)} ns CPU per delivery${values.stats ? ' with stats' : ''} (rounds ${rounds.map((r) => r.toFixed(1)).join(' ')}) [${src}]\n`,
  );
}
