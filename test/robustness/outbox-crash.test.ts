// The outbox against a real server process killed with -9 in the middle of a stream: what was
// written into the dying socket but never relayed must be sent again after the reconnect.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, type MpcrpClient } from '../../src/client/index.js';
import { createLogger } from '../../src/log.js';
import { type BotRuntime, createRuntime } from '../../src/runtime/create.js';
import { withRealTimeout } from '../../src/testing/real-timers.js';
import { BIN } from '../helpers/bin.js';

const CWD = mkdtempSync(join(tmpdir(), 'mpcrp-outbox-crash-'));
const MESSAGES = 500;
const KILLS = 8;

const children: ChildProcess[] = [];
const clients: MpcrpClient[] = [];
let runtime: BotRuntime | undefined;
afterEach(async () => {
  vi.useRealTimers();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill(9);
  for (const c of clients.splice(0)) c.destroy();
  await runtime?.stop();
  runtime = undefined;
});

/** `mpcrp-bot serve` as a child process; resolves with its URL once it listens. */
async function serve(port: number): Promise<{ child: ChildProcess; url: string; port: number }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MPCRP_')) env[k] = v;
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '-q'], {
    cwd: CWD,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const url = await withRealTimeout(
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /MPCRP_URL=(\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    }),
    15_000,
    () => new Error(`serve did not start: ${stderr}`),
  );
  return { child, url, port: Number(new URL(url).port) };
}

function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return withRealTimeout(exited, 10_000, () => new Error('the server survived kill -9'));
}

/** A user in `feed` who records every text it sees there, across server incarnations. */
async function watcher(url: string, seen: string[]): Promise<MpcrpClient> {
  const client = await connect(url, { username: 'watcher' });
  clients.push(client);
  client.on('message', (m) => {
    if (m.room === 'feed') seen.push(m.text);
  });
  await client.createRoom('feed');
  return client;
}

function event(rt: BotRuntime, name: 'ready' | 'disconnected'): Promise<void> {
  return withRealTimeout(
    new Promise<void>((resolve) => rt.once(name, () => resolve())),
    15_000,
    () => new Error(`no ${name} event`),
  );
}

describe('outbox across kill -9 of the server process', () => {
  it(`loses none of ${MESSAGES} queued messages across ${KILLS} restarts, in order`, async () => {
    expect(
      existsSync(BIN),
      'the CLI (package.json bin) is missing: run `npm run build` first',
    ).toBe(true);
    // The runtime's clock and timers are fake: the test decides when the outbox may send and
    // when the bot reconnects (after the watcher is back in the room). Sockets stay real.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    let server = await serve(0);
    const seen: string[] = [];
    let watching = await watcher(server.url, seen);
    const lines: string[] = [];
    runtime = createRuntime({
      server: server.url,
      username: 'herald',
      rooms: ['feed'],
      plugins: [],
      // 200 a second: a few frames are on the wire whenever the server is killed.
      outbox: { rate: 200, burst: 4, limit: MESSAGES },
      reconnect: { initialDelay: 1000, maxDelay: 1000, random: () => 0.5 },
      logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
    });
    await runtime.start();
    for (let i = 1; i <= MESSAGES; i += 1) expect(runtime.send('feed', `m${i}`)).toBe(true);

    for (let kill = 1; kill <= KILLS; kill += 1) {
      await vi.advanceTimersByTimeAsync(25);
      const down = event(runtime, 'disconnected');
      const gone = new Promise((resolve) => watching.once('close', resolve));
      await killed(server.child);
      await down;
      await gone;
      server = await serve(server.port);
      watching = await watcher(server.url, seen);
      const back = event(runtime, 'ready');
      await vi.advanceTimersByTimeAsync(500);
      await back;
    }
    await vi.advanceTimersByTimeAsync((MESSAGES / 200) * 1000);
    await withRealTimeout(
      runtime.idle(),
      15_000,
      () => new Error(`outbox still holds ${JSON.stringify(runtime?.outboxStats)}`),
    );
    // Confirmed by the server means relayed to the watcher: one more round trip of its own
    // makes sure it has read all of it.
    await runtime.client?.ping();
    await watching.ping();

    const firsts = [...new Set(seen)];
    const expected = Array.from({ length: MESSAGES }, (_, i) => `m${i + 1}`);
    const lost = expected.filter((m) => !firsts.includes(m));
    expect(lost, `lost ${lost.length}: ${lost.join(' ')}`).toEqual([]);
    expect(firsts).toEqual(expected); // first sightings in order
    const duplicates = seen.length - firsts.length;
    const stats = runtime.outboxStats;
    expect(duplicates).toBeLessThanOrEqual(stats.resent);
    expect(stats).toMatchObject({ queued: 0, unconfirmed: 0, overflowed: 0, discarded: 0 });
    expect(stats.sent).toBe(MESSAGES);
    if (stats.resent > 0) {
      expect(lines.some((l) => l.includes('resending') && l.includes('possible duplicates'))).toBe(
        true,
      );
    }
  }, 120_000);
});
