import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { connect, type MpcrpClient, type RoomMessage } from '../../src/client/index.js';
import type { PluginError } from '../../src/errors.js';
import { startServer } from '../../src/server/index.js';
import { scrape } from '../helpers/prom-text.js';
import { type BotWithHttp, botWithHttp } from './bot-with-http.js';

const open: { close(): Promise<void> }[] = [];
const clients: MpcrpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const o of open.splice(0).reverse()) await o.close();
});

const failures: PluginError[] = [];
const ops = defineBot({
  name: 'ops',
  setup(bot) {
    bot.command('ping', (ctx) => ctx.reply('pong'));
    bot.command('boom', () => {
      throw new Error('kaboom');
    });
    bot.onError((err) => {
      failures.push(err);
    });
    bot.http.post('/deploy', (req, ctx) => {
      const { service } = req.body as { service: string };
      ctx.send('ops', `deployed ${service}`);
      ctx.respond(201, { announced: service });
    });
    bot.http.get('/status', () => 'all good');
    bot.http.post('/fail', () => {
      throw new Error('route broke');
    });
  },
});

function setup(http: { token?: string; maxBodyBytes?: number } = {}): Promise<BotWithHttp> {
  return botWithHttp({
    bot: {
      username: 'opsbot',
      rooms: ['ops'],
      plugins: [ops],
      reconnect: { initialDelay: 20, maxDelay: 100 },
      outbox: { rate: 1000, burst: 1000 },
    },
    http,
  });
}

async function listener(url: string, room = 'ops'): Promise<MpcrpClient> {
  const c = await connect(url, { username: `watcher${clients.length}` });
  clients.push(c);
  await c.joinRoom(room);
  return c;
}

function nextMessage(c: MpcrpClient): Promise<RoomMessage> {
  return new Promise((resolve) => c.once('message', resolve));
}

describe('run --http: health, readiness and metrics', () => {
  it('readiness follows the connection: 503 while the server is gone, 200 once reconnected', async () => {
    const { server, runtime, web } = await setup();
    const ready = await fetch(`${web.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { connected: true, inRooms: true } });
    expect((await scrape(web.url)).value('mpcrp_bot_connected')).toBe(1);

    const port = server.port;
    const dropped = new Promise((resolve) => runtime.once('disconnected', resolve));
    await server.close();
    await dropped;
    const down = await fetch(`${web.url}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { ready: boolean }).ready).toBe(false);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    const during = await scrape(web.url);
    expect(during.value('mpcrp_bot_connected')).toBe(0);
    expect(during.value('mpcrp_bot_disconnects_total')).toBe(1);
    // what the bot says meanwhile waits in the outbox, per room
    for (let i = 0; i < 3; i++) expect(runtime.send('ops', `queued ${i}`)).toBe(true);
    expect((await scrape(web.url)).value('mpcrp_bot_outbox_depth', { room: 'ops' })).toBe(3);

    const back = new Promise((resolve) => runtime.once('ready', resolve));
    const again = await startServer({ port });
    open.push(again);
    await back;
    expect((await fetch(`${web.url}/readyz`)).status).toBe(200);
    const after = await scrape(web.url);
    expect(after.value('mpcrp_bot_connected')).toBe(1);
    expect(after.value('mpcrp_bot_reconnects_total')).toBe(1);
    await runtime.idle();
    const flushed = await scrape(web.url);
    expect(flushed.find('mpcrp_bot_outbox_depth')).toEqual([]);
    expect(flushed.value('mpcrp_bot_messages_sent_total')).toBe(3);
  });

  it('counts hook runs and errors per plugin and hook, with a duration histogram', async () => {
    const { server, runtime, web } = await setup();
    const ann = await listener(server.url);
    const pong = nextMessage(ann);
    ann.send('ops', '!ping');
    expect((await pong).text).toBe('pong');
    ann.send('ops', '!boom');
    ann.send('ops', '!ping');
    await expect.poll(() => failures.length).toBeGreaterThan(0);
    await runtime.idle();

    const m = await scrape(web.url);
    expect(m.value('mpcrp_bot_hook_runs_total', { plugin: 'ops', hook: 'command !ping' })).toBe(2);
    expect(m.value('mpcrp_bot_hook_runs_total', { plugin: 'ops', hook: 'command !boom' })).toBe(1);
    expect(m.value('mpcrp_bot_hook_errors_total', { plugin: 'ops', hook: 'command !boom' })).toBe(
      1,
    );
    expect(m.find('mpcrp_bot_hook_errors_total', { hook: 'command !ping' })).toEqual([]);
    // start plus three commands
    expect(m.value('mpcrp_bot_hook_duration_seconds_count', { plugin: 'ops' })).toBe(
      m.sum('mpcrp_bot_hook_runs_total', { plugin: 'ops' }),
    );
    expect(m.value('mpcrp_bot_messages_sent_total')).toBe(2);
    expect(m.value('mpcrp_bot_messages_dropped_total', { reason: 'overflow' })).toBe(0);
    // idle: both pongs confirmed by the server, nothing waiting or resent
    expect(m.value('mpcrp_bot_outbox_unconfirmed')).toBe(0);
    expect(m.value('mpcrp_bot_messages_resent_total')).toBe(0);
    expect(m.find('mpcrp_bot_outbox_depth')).toEqual([]);
  });
});

describe('run --http: announcement metrics', () => {
  it('counts announcement deliveries fired', async () => {
    const { server, web } = await botWithHttp({
      bot: {
        username: 'crier',
        rooms: ['ops'],
        announcements: [{ name: 'tick', cron: '* * * * * *', rooms: ['ops'], text: 'tick' }],
      },
    });
    const watcher = await listener(server.url);
    expect((await nextMessage(watcher)).text).toBe('tick');
    const m = await scrape(web.url);
    expect(m.value('mpcrp_bot_announcements_fired_total')).toBeGreaterThanOrEqual(1);
    expect(m.value('mpcrp_bot_announcements_skipped_total')).toBe(0);
    expect(m.value('mpcrp_bot_messages_sent_total')).toBeGreaterThanOrEqual(1);
  });
});

describe('run --http: webhooks into rooms', () => {
  it('POST /rooms/ops/messages lands in the room for a listening client (text and JSON)', async () => {
    const { server, web } = await setup();
    const watcher = await listener(server.url);
    const first = nextMessage(watcher);
    const res = await fetch(`${web.url}/rooms/ops/messages`, { method: 'POST', body: 'deployed' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ queued: true, room: 'ops' });
    expect(await first).toMatchObject({ room: 'ops', text: 'deployed', sender: 'opsbot' });

    const second = nextMessage(watcher);
    const json = await fetch(`${web.url}/rooms/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'v2 is live' }),
    });
    expect(json.status).toBe(202);
    expect((await second).text).toBe('v2 is live');
  });

  it('answers 404 for a room the bot is not in, 400 for bad JSON, 405 for GET', async () => {
    const { web } = await setup();
    const other = await fetch(`${web.url}/rooms/elsewhere/messages`, { method: 'POST', body: 'x' });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { rooms: string[] }).rooms).toEqual(['ops']);
    const bad = await fetch(`${web.url}/rooms/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":',
    });
    expect(bad.status).toBe(400);
    const noText = await fetch(`${web.url}/rooms/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"message":"hi"}',
    });
    expect(noText.status).toBe(400);
    const get = await fetch(`${web.url}/rooms/ops/messages`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 413 past maxBodyBytes and 401 without the token', async () => {
    const { web } = await setup({ token: 'hunter2', maxBodyBytes: 1000 });
    const auth = { authorization: 'Bearer hunter2' };
    const post = (body: string, headers: Record<string, string> = auth) =>
      fetch(`${web.url}/rooms/ops/messages`, { method: 'POST', headers, body });
    expect((await post('hello', {})).status).toBe(401);
    expect((await post('x'.repeat(1000))).status).toBe(202);
    const big = await post('x'.repeat(1001));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/over 1000 bytes/);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
  });

  it("serves a plugin's bot.http routes under /plugins/<name>/, errors isolated like hooks", async () => {
    const { server, web } = await setup();
    const watcher = await listener(server.url);
    const said = nextMessage(watcher);
    const deploy = await fetch(`${web.url}/plugins/ops/deploy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'api' }),
    });
    expect(deploy.status).toBe(201);
    expect(await deploy.json()).toEqual({ announced: 'api' });
    expect((await said).text).toBe('deployed api');

    const status = await fetch(`${web.url}/plugins/ops/status`);
    expect(status.status).toBe(200);
    expect(await status.text()).toBe('all good');

    const before = failures.length;
    const fail = await fetch(`${web.url}/plugins/ops/fail`, { method: 'POST' });
    expect(fail.status).toBe(500);
    expect(failures.length).toBe(before + 1);
    expect(failures.at(-1)!.hook).toBe('http POST /fail');
    // the plugin still works after its route failed
    expect((await fetch(`${web.url}/plugins/ops/status`)).status).toBe(200);

    expect((await fetch(`${web.url}/plugins/ops/nothing`)).status).toBe(404);
    expect((await fetch(`${web.url}/plugins/nobody/deploy`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${web.url}/plugins/ops/deploy`)).status).toBe(405);
  });
});

describe('run --http: routes under the event budget', () => {
  it('a route that never settles is abandoned (504, counted as an error), and the plugin goes on', async () => {
    const stuck = defineBot({
      name: 'stuck',
      setup(bot) {
        bot.http.get('/hang', () => new Promise(() => {}));
        bot.http.get('/ok', () => 'fine');
      },
    });
    const { web } = await botWithHttp({
      bot: { username: 'stuckbot', rooms: ['ops'], plugins: [stuck], timeouts: { event: 300 } },
      http: {},
    });
    const hang = await fetch(`${web.url}/plugins/stuck/hang`);
    expect(hang.status).toBe(504);
    expect(((await hang.json()) as { error: string }).error).toMatch(/within 300 ms/);
    // its queue was not left stalled behind the abandoned handler
    const ok = await fetch(`${web.url}/plugins/stuck/ok`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('fine');

    const m = await scrape(web.url);
    const hook = { plugin: 'stuck', hook: 'http GET /hang' };
    expect(m.value('mpcrp_bot_hook_errors_total', hook)).toBe(1);
    expect(m.value('mpcrp_bot_hook_runs_total', hook)).toBe(1);
  });
});
