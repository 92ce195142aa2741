// The bot runtime when the server dies in the middle of a paced stream, and when a plugin
// misbehaves (throws outside a hook, hangs, hogs the CPU, fails its setup). Unreachable
// servers, stale names and rooms destroyed under the bot are covered in test/runtime.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { client, run, server, start } from '../cli/cli-harness.js';

let t: BotTest | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
});

describe('server stopped mid-stream and restarted', () => {
  it('delivers every queued message exactly once, in order, across the outage', async () => {
    // Installed first: the runtime reads its clock from here on (the kit's own waits use
    // real time). Only timers and the clock; sockets need real I/O.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    t = await createBotTest({
      bots: [],
      username: 'herald',
      options: {
        outbox: { rate: 5, burst: 3 },
        // A fixed 500 ms reconnect delay, on fake time: the listener is back in first.
        reconnect: { initialDelay: 1000, maxDelay: 1000, random: () => 0.5 },
      },
    });
    const before = await t.user('alice');
    await before.join('lobby');
    await t.settle();
    const texts = Array.from({ length: 20 }, (_, i) => `m${i + 1}`);
    for (const text of texts) expect(t.runtime.send('lobby', text)).toBe(true);
    // The burst goes at once, then one message per 200 ms: stop after the fifth.
    await before.expectMessage('lobby', 'm3');
    await vi.advanceTimersByTimeAsync(400);
    await before.expectMessage('lobby', 'm5');

    const down = new Promise((resolve) => t!.runtime.once('disconnected', resolve));
    const back = t.reconnected();
    await t.stopServer();
    await down;
    expect(t.runtime.outboxStats.queued).toBe(15);
    await vi.advanceTimersByTimeAsync(200); // no server: nothing may leave the outbox
    expect(t.runtime.outboxStats.queued).toBe(15);

    await t.startServer();
    const after = await t.user('alice');
    await after.join('lobby');
    await vi.advanceTimersByTimeAsync(500);
    await back;
    await vi.advanceTimersByTimeAsync(15 * 200);
    vi.useRealTimers();
    await t.settle();

    const received = (u: typeof before) =>
      u.messages.filter((m) => m.room === 'lobby').map((m) => m.text);
    expect(received(before)).toEqual(texts.slice(0, 5));
    expect(received(after)).toEqual(texts.slice(5));
    expect(t.runtime.outboxStats).toMatchObject({ queued: 0, sent: 20, discarded: 0 });
  });
});

// Misbehaving bots next to bots/echo.ts in one real `run` process: the echo bot must keep
// answering within 100 ms, and SIGTERM must end the process within its documented bound.
const ECHO = fileURLToPath(new URL('../../bots/echo.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mpcrp-faults-'));
const botFile = (name: string, body: string): string => {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `export default { name: '${name}', setup(bot) {\n${body}\n} };\n`);
  return file;
};

async function runWith(files: string[], flags: string[] = []) {
  const s = await server();
  const bot = start(['run', ECHO, ...files, '--server', s.url, '--room', 'lobby', ...flags]);
  await bot.waitForStderr(/(created|joined) room( room=lobby|","room":"lobby")/);
  const alice = await client(s.url, 'alice');
  await alice.joinRoom('lobby');
  const heard: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  alice.on('message', (m) => {
    if (m.sender !== 'echo') return;
    heard.push(m.text);
    for (const w of waiters.splice(0)) {
      if (w.text === m.text) w.resolve();
      else waiters.push(w);
    }
  });
  /** Says `text` and resolves with the milliseconds until the echo came back. */
  const echoTime = async (text: string): Promise<number> => {
    const started = performance.now();
    const back = new Promise<void>((resolve) => waiters.push({ text, resolve }));
    alice.send('lobby', text);
    await back;
    return performance.now() - started;
  };
  const stop = async () => {
    const started = performance.now();
    bot.child.kill('SIGTERM');
    const result = await bot.exited;
    return { ...result, ms: performance.now() - started };
  };
  return { bot, alice, heard, echoTime, stop };
}

describe('run: a plugin that throws outside its hooks', () => {
  it('unloads only that plugin; the echo bot keeps answering within 100 ms', async () => {
    const timer = botFile(
      'timerbomb',
      `bot.command('arm', () => { setTimeout(() => { throw new Error('timer kaboom'); }, 5); });`,
    );
    const detached = botFile(
      'promisebomb',
      `bot.command('detach', () => { void (async () => { await null; throw new Error('detached kaboom'); })(); });`,
    );
    const r = await runWith([timer, detached]);
    expect(await r.echoTime('warm-up')).toBeLessThan(1000);
    r.alice.send('lobby', '!arm');
    await r.bot.waitForStderr(/uncaught exception in bot timerbomb .*unloading it/);
    expect(await r.echoTime('after the timer')).toBeLessThan(100);
    r.alice.send('lobby', '!detach');
    await r.bot.waitForStderr(/unhandled rejection in bot promisebomb .*unloading it/);
    expect(await r.echoTime('after the promise')).toBeLessThan(100);
    // The log names the plugin and the hook the stray callback came from, with the error.
    expect(r.bot.stderr()).toMatch(/plugin=timerbomb hook="command !arm" error="timer kaboom"/);
    const result = await r.stop();
    expect(result.code).toBe(0);
  });

  it("a timer started by a bot file's top level is that bot's fault: it alone is unloaded", async () => {
    const file = join(dir, 'modulebomb.mjs');
    writeFileSync(
      file,
      [
        'let armed = false;',
        "const ticking = setInterval(() => { if (armed) { clearInterval(ticking); throw new Error('module kaboom'); } }, 5);",
        "export default { name: 'modulebomb', setup(bot) { bot.command('arm', () => { armed = true; }); } };",
        '',
      ].join('\n'),
    );
    const r = await runWith([file]);
    expect(await r.echoTime('warm-up')).toBeLessThan(1000);
    r.alice.send('lobby', '!arm');
    // Before: "uncaught exception outside any bot; stopping", and every bot was gone.
    await r.bot.waitForStderr(
      /uncaught exception in bot modulebomb \(from code started in the top level of its file\); unloading it/,
    );
    expect(await r.echoTime('after the module timer')).toBeLessThan(100);
    expect(r.bot.stderr()).toMatch(/unloaded bot plugin=modulebomb/);
    const result = await r.stop();
    expect(result.code).toBe(0);
  });

  it('with --on-plugin-crash exit: runs onStop, flushes the outbox and exits 1', async () => {
    const timer = botFile(
      'crasher',
      `bot.command('arm', () => { setTimeout(() => { throw new Error('boom'); }, 5); });
       bot.onStop((ctx) => ctx.send('lobby', 'goodbye from crasher'));`,
    );
    const r = await runWith([timer], ['--on-plugin-crash', 'exit']);
    const bye = new Promise<string>((resolve) =>
      r.alice.on('message', (m) => m.text.startsWith('goodbye') && resolve(m.text)),
    );
    r.alice.send('lobby', '!arm');
    const result = await r.bot.exited;
    expect(result.code).toBe(1);
    expect(await bye).toBe('goodbye from crasher');
    expect(result.stderr).toMatch(/uncaught exception in bot crasher; stopping/);
    expect(result.stderr).not.toMatch(/^\s+at .*\n.*node:internal/m); // no bare Node crash
  });
});

describe('run: hooks that never settle', () => {
  it('a hung onStart holds up nobody else, and SIGTERM still ends the process in bound', async () => {
    const hung = botFile(
      'hung',
      `bot.onStart(() => new Promise(() => {}));
       bot.onStop(() => new Promise(() => {}));`,
    );
    const r = await runWith([hung], ['--start-timeout', '1s', '--stop-timeout', '1s']);
    expect(await r.echoTime('while hung starts')).toBeLessThan(100);
    await r.bot.waitForStderr(/onStart did not settle within 1000 ms; abandoned it .*plugin=hung/);
    const result = await r.stop();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/onStop did not settle within 1000 ms/);
    // Documented bound: the largest budget (here event, 10 s) + 5 s flush + 5 s close.
    expect(result.ms).toBeLessThan(20_000);
  });

  it('a message handler that never settles is abandoned after --event-timeout; echo answers throughout', async () => {
    const stuck = botFile('stuck', `bot.onMessage(() => new Promise(() => {}));`);
    const r = await runWith([stuck], ['--event-timeout', '500ms']);
    for (const text of ['one', 'two', 'three']) {
      expect(await r.echoTime(text)).toBeLessThan(100);
    }
    await r.bot.waitForStderr(
      /onMessage did not settle within 500 ms; abandoned it .*plugin=stuck hook=onMessage/,
    );
    const result = await r.stop();
    expect(result.code).toBe(0);
    // Before: > 20 s. Now bounded by the event budget the stuck handlers still hold.
    expect(result.ms).toBeLessThan(5000);
  });

  it('a slow onStart (3 s) does not delay the echo bot', async () => {
    const slow = botFile(
      'slowstart',
      `bot.onStart(() => new Promise((resolve) => setTimeout(resolve, 3000)));`,
    );
    const r = await runWith([slow]);
    expect(await r.echoTime('right away')).toBeLessThan(100);
    expect((await r.stop()).code).toBe(0);
  });
});

describe('run: a CPU-bound hook', () => {
  it('is logged with the plugin and hook that held the event loop', async () => {
    const hog = botFile(
      'hog',
      `bot.command('spin', () => { const end = Date.now() + 1200; while (Date.now() < end); });`,
    );
    const r = await runWith([hog]);
    r.alice.send('lobby', '!spin');
    await r.bot.waitForStderr(
      /command !spin held the event loop for \d+ ms; every bot waited plugin=hog hook="command !spin"/,
    );
    expect(await r.echoTime('after the spin')).toBeLessThan(100);
    expect((await r.stop()).code).toBe(0);
  });
});

describe('run: a bot that fails to set up', () => {
  it('exits 2 naming the bot and the error, unless --keep-going', async () => {
    const bad = botFile('badsetup', `throw new Error('needs an API key');`);
    const s = await server();
    const result = await run(['run', ECHO, bad, '--server', s.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bot 'badsetup' failed to set up: needs an API key/);
    expect(result.stderr).toMatch(/--keep-going/);

    const r = await runWith([bad], ['--keep-going']);
    expect(r.bot.stderr()).toMatch(/bot not loaded \(--keep-going\) bot=badsetup/);
    expect(await r.echoTime('still here')).toBeLessThan(1000);
    expect((await r.stop()).code).toBe(0);
  });
});

describe('run: error stacks', () => {
  const thrower = () =>
    botFile('faulty', `bot.command('boom', () => { throw new Error('kaboom'); });`);

  it('with -v the log has the stack', async () => {
    const r = await runWith([thrower()], ['-v']);
    r.alice.send('lobby', '!boom');
    await r.bot.waitForStderr(/command !boom failed .*error="kaboom"\n\s+Error: kaboom\n\s+at /);
    expect((await r.stop()).code).toBe(0);
  });

  it('--log-format json always has it', async () => {
    const r = await runWith([thrower()], ['--log-format', 'json']);
    r.alice.send('lobby', '!boom');
    await r.bot.waitForStderr(/"msg":"command !boom failed"/);
    const line = r.bot
      .stderr()
      .split('\n')
      .find((l) => l.includes('command !boom failed'))!;
    const record = JSON.parse(line) as Record<string, string>;
    expect(record).toMatchObject({ plugin: 'faulty', error: 'kaboom' });
    expect(record.errorStack).toMatch(/^Error: kaboom\n\s+at .*faulty\.mjs/);
    expect((await r.stop()).code).toBe(0);
  });
});
