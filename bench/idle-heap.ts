/**
 * JS heap per idle registered connection of the real server (or the minimal relay), from
 * `process.memoryUsage()` after two full GCs: the server alone in a child process, the
 * clients (bare sockets that only register) in this one. RSS moves in steps of the heap's
 * growth, so the memory scenario's ratio moves by ~0.1x between runs; this figure moves by
 * a few bytes, and is the one to compare two versions of src/server (docs/performance.md).
 * Not part of `npm run bench`: it has no yardstick of its own (run it with --relay for one).
 *
 *   node --import tsx bench/idle-heap.ts                        # this tree, 5,000 connections
 *   node --import tsx bench/idle-heap.ts --src /tmp/base/src    # another tree
 *   node --import tsx bench/idle-heap.ts --relay                # the minimal relay
 *   node --import tsx bench/idle-heap.ts --snapshot /tmp/heap   # also write heap snapshots
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { openMany, register } from './lib/raw-conn.js';
import { BENCH_SERVER_OPTIONS } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    src: { type: 'string', default: resolve(import.meta.dirname, '../src') },
    count: { type: 'string', default: '5000' },
    relay: { type: 'boolean', default: false },
    snapshot: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  let port: number;
  if (values.relay) {
    const { startMinimalRelay } = await import('./yardsticks/minimal-relay.js');
    port = (await startMinimalRelay()).port;
  } else {
    const { startServer } = (await import(
      `${resolve(values.src!)}/server/index.ts`
    )) as typeof import('../src/server/index.js');
    port = (await startServer({ host: '127.0.0.1', port: 0, ...BENCH_SERVER_OPTIONS })).port;
  }
  process.send!({ port });
  process.on('message', (m: { snapshot?: string }) => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    gc();
    gc();
    if (m.snapshot) writeHeapSnapshot(m.snapshot);
    process.send!(process.memoryUsage());
  });
} else {
  const count = Number(values.count);
  const args = ['--child', '--src', values.src!, ...(values.relay ? ['--relay'] : [])];
  const child = fork(import.meta.filename, args, { execArgv: ['--expose-gc', '--import', 'tsx'] });
  const next = <T>() => new Promise<T>((done) => child.once('message', (m) => done(m as T)));
  const { port } = await next<{ port: number }>();
  const measure = (name: string) => {
    const snapshot = values.snapshot ? `${values.snapshot}-${name}.heapsnapshot` : undefined;
    child.send({ snapshot });
    return next<NodeJS.MemoryUsage>();
  };
  // Warm-up connections first, so one-off allocations are not counted.
  const warm = await openMany(port, 500);
  await register(warm, 'w');
  const before = await measure('before');
  const idle = await openMany(port, count);
  await register(idle, 'i');
  const after = await measure('after');
  const per = (k: 'heapUsed' | 'rss' | 'external') => Math.round((after[k] - before[k]) / count);
  const what = values.relay ? 'minimal relay' : values.src;
  process.stdout.write(
    `${count} idle registered connections: heap ${per('heapUsed')} B, external ${per('external')} B, rss ${per('rss')} B per connection [${what}]\n`,
  );
  for (const c of [...warm, ...idle]) c.close();
  child.kill();
}
