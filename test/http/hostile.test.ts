import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { connect, type MpcrpClient } from '../../src/client/index.js';
import type { RunHttp } from '../../src/http/run-http.js';
import type { RunningServer } from '../../src/server/index.js';
import { botWithHttp } from './bot-with-http.js';

// A hostile HTTP client must not hurt the chat traffic served by the same process: the
// chat server, the bot and the HTTP listener all run here, the attacker in its own process
// (or on raw sockets), and chat round trips are measured while it runs.

const open: { close(): Promise<void> }[] = [];
const clients: MpcrpClient[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) c.destroy();
  for (const o of open.splice(0).reverse()) await o.close();
});

const REQUEST_TIMEOUT = 400;
const HEADERS_TIMEOUT = 200;
const MAX_BODY = 4_096;

const pinger = defineBot({
  name: 'pinger',
  setup(bot) {
    bot.command('ping', (ctx) => ctx.reply(`pong ${ctx.command.rest}`));
  },
});

async function setup(): Promise<{ server: RunningServer; web: RunHttp; chat: Chat }> {
  const { server, web } = await botWithHttp({
    server: { frameRate: 10_000, frameBurst: 10_000 },
    bot: {
      username: 'pinger',
      rooms: ['ops'],
      plugins: [pinger],
      outbox: { rate: 10_000, burst: 10_000 },
      // ann pings flat out to measure round trips: that is the load, not a bot loop
      loopGuard: false,
    },
    http: {
      requestTimeout: REQUEST_TIMEOUT,
      headersTimeout: HEADERS_TIMEOUT,
      maxBodyBytes: MAX_BODY,
    },
  });
  const ann = await connect(server.url, { username: 'ann' });
  clients.push(ann);
  await ann.joinRoom('ops');
  return { server, web, chat: new Chat(ann) };
}

/** Round trips through the server and the bot: `!ping N` answered by `pong N`. */
class Chat {
  #n = 0;
  readonly rtts: number[] = [];
  constructor(readonly client: MpcrpClient) {}

  async ping(): Promise<number> {
    const n = ++this.#n;
    const began = performance.now();
    const answered = new Promise<void>((resolve) => {
      const on = (m: { text: string }) => {
        if (m.text === `pong ${n}`) {
          this.client.off('message', on);
          resolve();
        }
      };
      this.client.on('message', on);
    });
    this.client.send('ops', `!ping ${n}`);
    await answered;
    const rtt = performance.now() - began;
    this.rtts.push(rtt);
    return rtt;
  }

  /** Pings one after another until `until` settles; returns how many were answered. */
  async pingWhile(until: Promise<unknown>): Promise<number> {
    let done = false;
    void until.finally(() => {
      done = true;
    });
    let count = 0;
    while (!done) {
      await this.ping();
      count += 1;
    }
    return count;
  }
}

function rawSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    sockets.push(s);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the socket receives until the server closes it, and how long that took. */
function untilClosed(s: net.Socket): Promise<{ text: string; ms: number }> {
  const began = performance.now();
  let text = '';
  s.setEncoding('utf8').on('data', (d: string) => {
    text += d;
  });
  s.on('error', () => {});
  return new Promise((resolve) =>
    s.once('close', () => resolve({ text, ms: performance.now() - began })),
  );
}

describe('a hostile HTTP client cannot hurt chat traffic', () => {
  it('a slow body gets 408 after requestTimeout; a slow header block is cut off after headersTimeout', async () => {
    const { web, chat } = await setup();
    const body = await rawSocket(web.port);
    const bodyClosed = untilClosed(body);
    body.write(
      'POST /rooms/ops/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nonly ten b',
    );
    const headers = await rawSocket(web.port);
    const headersClosed = untilClosed(headers);
    headers.write('GET /metrics HTTP/1.1\r\nhost: x\r\nx-slow: ');
    const answered = await chat.pingWhile(Promise.all([bodyClosed, headersClosed]));
    const slowBody = await bodyClosed;
    const slowHeaders = await headersClosed;
    expect(slowBody.text).toMatch(/^HTTP\/1\.1 408/);
    // node:http checks its deadlines every requestTimeout / 4 here
    expect(slowBody.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 50);
    expect(slowBody.ms).toBeLessThan(REQUEST_TIMEOUT * 3);
    expect(slowHeaders.ms).toBeLessThan(REQUEST_TIMEOUT * 3);
    expect(answered).toBeGreaterThan(0);
    // the room got nothing from the cut-off post: the next message is the next pong
    expect(await chat.ping()).toBeLessThan(1_000);
  });

  it('a huge body is refused with 413: announced at once, streamed once past maxBodyBytes', async () => {
    const { web, chat } = await setup();
    const announced = await rawSocket(web.port);
    const announcedClosed = untilClosed(announced);
    announced.write(
      `POST /rooms/ops/messages HTTP/1.1\r\nhost: x\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`,
    );
    const first = await announcedClosed;
    expect(first.text).toMatch(/^HTTP\/1\.1 413/);
    expect(first.ms).toBeLessThan(1_000); // at once, unread

    // chunked, no length: 64 MiB offered; the server stops after the cap and closes
    const streamed = await rawSocket(web.port);
    const streamedClosed = untilClosed(streamed);
    streamed.write(
      'POST /rooms/ops/messages HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n',
    );
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    const rssBefore = process.memoryUsage().rss;
    let offered = 0;
    const pump = () => {
      while (!streamed.destroyed && offered < 1024) {
        offered += 1;
        if (!streamed.write(frame)) {
          streamed.once('drain', pump);
          return;
        }
      }
    };
    pump();
    const second = await streamedClosed;
    expect(second.text).toMatch(/^HTTP\/1\.1 413/);
    expect(offered).toBeLessThan(1024); // it was cut off, not read to the end
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
    expect(await chat.ping()).toBeLessThan(1_000);
  });

  it('connections past maxConnections are closed at once, and the listener recovers', async () => {
    const { web, chat } = await setup();
    const idle = await Promise.all(Array.from({ length: 100 }, () => rawSocket(web.port)));
    const closings = idle.map(untilClosed);
    // Over the cap of 64: closed at once by node:http; the rest cut off by headersTimeout
    const results = await Promise.all(closings);
    // Those over the cap get no answer at all; the others a 408 once their headers are late.
    const refused = results.filter((r) => r.text === '');
    expect(refused.length).toBeGreaterThanOrEqual(36);
    expect(refused.every((r) => r.ms < HEADERS_TIMEOUT)).toBe(true);
    expect(results.filter((r) => r.text.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
    expect(results.every((r) => r.ms < REQUEST_TIMEOUT * 3)).toBe(true);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    expect(await chat.ping()).toBeLessThan(1_000);
  });
});
