// 10,000 HTTP requests from another process must not hurt the chat traffic served by the
// same process as the HTTP listener (the chat server, a bot and the listener all run here).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { connect, type MpcrpClient } from '../../src/client/index.js';
import { botWithHttp } from './bot-with-http.js';

const open: { close(): Promise<void> }[] = [];
const clients: MpcrpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const o of open.splice(0).reverse()) await o.close();
});

const pinger = defineBot({
  name: 'pinger',
  setup(bot) {
    bot.command('ping', (ctx) => ctx.reply(`pong ${ctx.command.rest}`));
  },
});

let pings = 0;
/** One round trip through the server and the bot: `!ping N` answered by `pong N`. */
async function ping(client: MpcrpClient): Promise<number> {
  const n = ++pings;
  const began = performance.now();
  const answered = new Promise<void>((resolve) => {
    const on = (m: { text: string }) => {
      if (m.text !== `pong ${n}`) return;
      client.off('message', on);
      resolve();
    };
    client.on('message', on);
  });
  client.send('ops', `!ping ${n}`);
  await answered;
  return performance.now() - began;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 10,000 pipelined requests over 32 connections, all written at once as a flood would:
// /healthz, /readyz and (one in 8) /metrics, paths a connection may keep asking on (a 404
// closes it); the last on each connection asks it to close. A line on stdout every 250
// answers, so the test pings while the flood runs.
const FLOOD = `
  const net = require('node:net');
  const paths = ['/healthz', '/readyz', '/healthz', '/readyz', '/metrics', '/healthz', '/readyz', '/healthz'];
  const CONNECTIONS = 32, TOTAL = 10000;
  const codes = {}; let answered = 0, open = CONNECTIONS, sent = 0;
  for (let c = 0; c < CONNECTIONS; c++) {
    const n = Math.floor(TOTAL / CONNECTIONS) + (c < TOTAL % CONNECTIONS ? 1 : 0);
    let requests = '';
    for (let i = 0; i < n; i++) {
      const last = i === n - 1 ? 'connection: close\\r\\n' : '';
      requests += 'GET ' + paths[sent++ % paths.length] + ' HTTP/1.1\\r\\nhost: x\\r\\n' + last + '\\r\\n';
    }
    const socket = net.connect(Number(process.argv[1]), '127.0.0.1', () => socket.write(requests));
    let carry = '';
    socket.setEncoding('latin1').on('data', (d) => {
      const text = carry + d;
      const re = /HTTP\\/1\\.1 (\\d{3}) /g;
      let m, end = 0;
      while ((m = re.exec(text)) !== null) {
        codes[m[1]] = (codes[m[1]] || 0) + 1;
        end = re.lastIndex;
        if (++answered % 250 === 0) console.log('progress');
      }
      carry = text.slice(Math.max(end, text.length - 16));
    });
    socket.on('error', (e) => { console.error(e.message); process.exit(1); });
    socket.on('close', () => { if (--open === 0) console.log(JSON.stringify(codes)); });
  }
`;

describe('a hostile HTTP client cannot hurt chat traffic', () => {
  it('10,000 requests from another process: every one answered, chat round trips stay short', async () => {
    const { server, web } = await botWithHttp({
      server: { frameRate: 10_000, frameBurst: 10_000 },
      bot: {
        username: 'pinger',
        rooms: ['ops'],
        plugins: [pinger],
        outbox: { rate: 10_000, burst: 10_000 },
        loopGuard: false,
      },
    });
    const ann = await connect(server.url, { username: 'ann' });
    clients.push(ann);
    await ann.joinRoom('ops');
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) quiet.push(await ping(ann));

    const child = spawn(process.execPath, ['-e', FLOOD, String(web.port)]);
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const busy: number[] = [];
    let result = '';
    for await (const line of createInterface({ input: child.stdout })) {
      if (line === 'progress') busy.push(await ping(ann));
      else result = line;
    }
    expect(await exited).toBe(0);
    expect(JSON.parse(result)).toEqual({ 200: 10_000 });
    expect(busy.length).toBeGreaterThan(5);
    // Generous for a loaded 2-core machine: the chat keeps answering within tens of ms
    // while the listener serves 10,000 requests, rather than queueing behind them.
    expect(median(busy)).toBeLessThan(Math.max(50, median(quiet) * 10));
    expect(Math.max(...busy)).toBeLessThan(2_000);
  }, 30_000);
});
