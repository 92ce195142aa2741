import { afterEach, describe, expect, it, vi } from 'vitest';
import echo from '../../bots/echo.js';
import { connect, type MpcrpClient } from '../../src/client/index.js';
import { createLogger } from '../../src/log.js';
import { type BotRuntime, createRuntime } from '../../src/runtime/create.js';
import { startServer } from '../../src/server/start.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { recorder } from './helpers.js';

let t: BotTest | undefined;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('reconnecting', () => {
  it('rejoins after a server restart, delivers what was said meanwhile and reports who came and went', async () => {
    const rec = recorder();
    t = await createBotTest({
      bots: [echo, rec.plugin],
      // A fixed 500 ms delay, run on fake timers: users act while the bot is still away.
      options: { reconnect: { initialDelay: 1000, maxDelay: 1000, random: () => 0.5 } },
    });
    const alice = await t.user('alice');
    await alice.join('lobby');
    const bob = await t.user('bob');
    await bob.join('lobby');
    await t.settle();
    const mark = rec.events.length;

    const down = new Promise((resolve) => t!.runtime.once('disconnected', resolve));
    const back = t.reconnected();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await t.stopServer();
    await down;
    expect(t.runtime.connected).toBe(false);
    expect(t.runtime.send('lobby', 'said during the outage')).toBe(true);
    expect(t.runtime.outboxStats.queued).toBe(1);

    await t.startServer();
    const carol = await t.user('carol');
    await carol.join('lobby'); // the restarted server is empty: carol creates lobby
    await vi.advanceTimersByTimeAsync(500);
    await back;
    vi.useRealTimers();

    await carol.expectMessage('lobby', 'said during the outage', { from: 'echo' });
    expect(await carol.users('lobby')).toEqual(['carol', 'echo']);
    const after = rec.events.slice(mark);
    expect(after.filter((e) => e.kind !== 'userlist')).toEqual([
      { kind: 'leave', room: 'lobby', user: 'alice' },
      { kind: 'leave', room: 'lobby', user: 'bob' },
      { kind: 'join', room: 'lobby', user: 'carol' },
      { kind: 'reconnect' },
    ]);
    await carol.say('lobby', 'still there?');
    await carol.expectMessage('lobby', 'still there?', { from: 'echo' });
  });

  it('keeps retrying with backoff while the server is unreachable, logging each attempt', async () => {
    const probe = await startServer({ port: 0 });
    const { port, url } = probe;
    await probe.close(); // a port that was free a moment ago: nothing listens there now
    const lines: string[] = [];
    let attempts = 0;
    let third: () => void = () => {};
    const thirdAttempt = new Promise<void>((resolve) => {
      third = resolve;
    });
    const logger = createLogger({
      level: 'debug',
      write: (line) => {
        lines.push(line);
        if (line.includes('cannot connect; retrying') && ++attempts === 3) third();
      },
    });
    const runtime = createRuntime({
      server: url,
      username: 'echo',
      rooms: ['lobby'],
      plugins: [echo],
      reconnect: { initialDelay: 5, maxDelay: 20 },
      logger,
    });
    cleanup.push(() => runtime.stop());
    const started = runtime.start();
    await thirdAttempt;
    expect(lines.find((l) => l.includes('cannot connect'))).toMatch(/connection refused/);
    const server = await startServer({ port });
    cleanup.push(() => server.close());
    await started;
    expect(runtime.connected).toBe(true);
    expect(runtime.rooms).toEqual(['lobby']);
  });

  it('waits for a username still held by a stale connection', async () => {
    const server = await startServer({ port: 0 });
    cleanup.push(() => server.close());
    const stale: MpcrpClient = await connect(server.url, { username: 'echo' });
    let taken: () => void = () => {};
    const sawTaken = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const logger = createLogger({
      level: 'warn',
      write: (line) => {
        if (line.includes('username still taken')) taken();
      },
    });
    const runtime: BotRuntime = createRuntime({
      server: server.url,
      username: 'echo',
      rooms: ['lobby'],
      plugins: [echo],
      reconnect: { initialDelay: 5, maxDelay: 20 },
      logger,
    });
    cleanup.push(() => runtime.stop());
    const started = runtime.start();
    await sawTaken;
    expect(runtime.connected).toBe(false);
    await stale.close();
    await started;
    expect(runtime.connected).toBe(true);
    expect(runtime.username).toBe('echo');
  });

  it('fails start() at once for a username no retry can fix', async () => {
    expect(() =>
      createRuntime({ server: 'mpcrp://127.0.0.1:1', username: 'has space', plugins: [] }),
    ).toThrow(/invalid username/);
  });
});
