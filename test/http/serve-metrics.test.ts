import { afterEach, describe, expect, it } from 'vitest';
import { connect, type MpcrpClient, type RoomMessage } from '../../src/client/index.js';
import { type ServeHttp, startServeHttp } from '../../src/http/serve-http.js';
import { silentLogger } from '../../src/log.js';
import { encodeFrame } from '../../src/protocol/codec.js';
import { MessageType } from '../../src/protocol/types.js';
import {
  FANOUT_SAMPLE,
  type RunningServer,
  ServerStats,
  type StartServerOptions,
  startServer,
} from '../../src/server/index.js';
import { scrape } from '../helpers/prom-text.js';
import { RawClient } from '../helpers/raw-client.js';

const open: { close(): Promise<void> }[] = [];
const clients: MpcrpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const o of open.splice(0).reverse()) await o.close();
});

async function serveWithHttp(
  options: { token?: string } & StartServerOptions = {},
): Promise<{ running: RunningServer; web: ServeHttp }> {
  const { token: _, ...server } = options;
  const running = await startServer({ port: 0, ...server, stats: new ServerStats() });
  open.push(running);
  const web = await startServeHttp(running, {
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    ...(options.token ? { token: options.token } : {}),
  });
  open.push(web);
  return { running, web };
}

async function client(url: string, username: string): Promise<MpcrpClient> {
  const c = await connect(url, { username });
  clients.push(c);
  return c;
}

function messages(c: MpcrpClient, n: number): Promise<RoomMessage[]> {
  const got: RoomMessage[] = [];
  return new Promise((resolve) => {
    const on = (m: RoomMessage) => {
      got.push(m);
      if (got.length === n) {
        c.off('message', on);
        resolve(got);
      }
    };
    c.on('message', on);
  });
}

describe('serve --http: /metrics', () => {
  it('counts real traffic: connections, users, rooms, frames, bytes, relays and fan-out', async () => {
    const { running, web } = await serveWithHttp();
    const before = await scrape(web.url);
    expect(before.value('mpcrp_connections', { listener: 'tcp' })).toBe(0);
    expect(before.sum('mpcrp_frames_received_total')).toBe(0);
    expect(before.families.get('mpcrp_fanout_seconds')?.type).toBe('histogram');
    // default process metrics are there too
    expect(before.families.has('process_cpu_seconds_total')).toBe(true);

    const ann = await client(running.url, 'ann');
    const bob = await client(running.url, 'bob');
    const cid = await client(running.url, 'cid');
    await ann.createRoom('ops');
    await bob.joinRoom('ops');
    await cid.joinRoom('ops');
    const atBob = messages(bob, 20);
    const atCid = messages(cid, 20);
    for (let i = 0; i < 20; i++) ann.send('ops', `message ${i}`);
    await Promise.all([atBob, atCid]);

    const m = await scrape(web.url);
    expect(m.value('mpcrp_connections', { listener: 'tcp' })).toBe(3);
    expect(m.value('mpcrp_connections_accepted_total', { listener: 'tcp' })).toBe(3);
    expect(m.value('mpcrp_users')).toBe(3);
    expect(m.value('mpcrp_rooms')).toBe(1);
    expect(m.value('mpcrp_frames_received_total', { type: 'Data' })).toBe(20);
    expect(m.value('mpcrp_frames_received_total', { type: 'SetUserName' })).toBe(3);
    expect(m.value('mpcrp_frames_received_total', { type: 'JoinRoom' })).toBe(2);
    expect(m.value('mpcrp_data_relayed_total')).toBe(20);
    // 20 messages to 2 recipients each, as DataFrom (the client asks for the sender extension)
    expect(m.value('mpcrp_data_deliveries_total')).toBe(40);
    expect(m.value('mpcrp_frames_sent_total', { type: 'DataFrom' })).toBe(40);
    expect(m.value('mpcrp_received_bytes_total')).toBeGreaterThan(20 * 'message 00'.length);
    expect(m.value('mpcrp_sent_bytes_total')).toBeGreaterThan(40 * 'message 00'.length);
    // one message in FANOUT_SAMPLE (16) is timed
    expect(m.value('mpcrp_fanout_seconds_count')).toBe(Math.floor(20 / FANOUT_SAMPLE));
    expect(m.value('mpcrp_fanout_seconds_bucket', { le: '+Inf' })).toBe(1);
    const sum = m.value('mpcrp_fanout_seconds_sum');
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(1); // seconds, not milliseconds
    // buckets are cumulative
    const buckets = m.find('mpcrp_fanout_seconds_bucket').map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));

    await bob.close();
    await cid.close();
    await expect.poll(async () => (await scrape(web.url)).value('mpcrp_users')).toBe(1);
    expect((await scrape(web.url)).value('mpcrp_connections', { listener: 'tcp' })).toBe(1);
  });

  it("counts each limit's hits: maxPayload, frames before registration, Data from a non-member", async () => {
    const { running, web } = await serveWithHttp({ maxPayload: 1024 });
    const big = await RawClient.connect(running.port);
    big.sendBytes(encodeFrame(MessageType.SetUserName, 'x'.repeat(2000)));
    await big.closed;
    const noisy = await RawClient.connect(running.port);
    for (let i = 0; i < 20; i++) noisy.send(MessageType.GetUserList, 'ops');
    await noisy.closed;
    const ann = await client(running.url, 'ann');
    ann.send('nowhere', 'hello?');
    await ann.ping();

    const m = await scrape(web.url);
    expect(m.value('mpcrp_limit_hits_total', { limit: 'maxPayload' })).toBe(1);
    expect(m.value('mpcrp_limit_hits_total', { limit: 'maxFramesBeforeRegistration' })).toBe(1);
    expect(m.value('mpcrp_limit_hits_total', { limit: 'maxConnections' })).toBe(0);
    expect(m.value('mpcrp_data_dropped_total', { reason: 'notMember' })).toBe(1);
    expect(m.value('mpcrp_data_relayed_total')).toBe(0);
    expect(m.value('mpcrp_connections_accepted_total', { listener: 'tcp' })).toBe(3);
  });

  it('counts the hostile-input limits: malformed frames, frameTimeout, one maxConnections', async () => {
    const { running, web } = await serveWithHttp({
      maxMalformedFrames: 2,
      frameTimeout: 50,
      registrationTimeout: 60_000,
      maxConnections: 3,
    });
    const bad = await RawClient.connect(running.port);
    await bad.register('bad');
    // A room length past the payload: dropped, counted; the third one closes the sender.
    for (let i = 0; i < 3; i++) bad.send(MessageType.Data, Buffer.from([0xff]));
    await bad.closed;
    const half = await RawClient.connect(running.port);
    half.sendBytes(Buffer.from([MessageType.SetUserName, 0x00])); // half a header
    await half.closed;
    const held = [await RawClient.connect(running.port), await RawClient.connect(running.port)];
    const memory = running.server.connectMemory(); // the third place: one cap over every listener
    const over = await RawClient.connect(running.port);
    await over.closed;

    const m = await scrape(web.url);
    expect(m.value('mpcrp_malformed_frames_total')).toBe(3);
    expect(m.value('mpcrp_data_dropped_total', { reason: 'malformed' })).toBe(3);
    expect(m.value('mpcrp_limit_hits_total', { limit: 'maxMalformedFrames' })).toBe(1);
    expect(m.value('mpcrp_limit_hits_total', { limit: 'frameTimeout' })).toBe(1);
    expect(m.value('mpcrp_limit_hits_total', { limit: 'maxConnections' })).toBe(1);
    expect(m.value('mpcrp_connections', { listener: 'tcp' })).toBe(2);
    expect(m.value('mpcrp_connections', { listener: 'memory' })).toBe(1);
    memory.destroy();
    for (const c of held) c.socket.destroy();
  });

  it('/healthz always answers; /readyz turns 503 once the server drains; the token guards the rest', async () => {
    const { web } = await serveWithHttp({ token: 's3cret' });
    const health = await fetch(`${web.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${web.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${web.url}/readyz`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
    const auth = { authorization: 'Bearer s3cret' };
    const ready = await fetch(`${web.url}/readyz`, { headers: auth });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { listening: true } });
    expect((await scrape(web.url, auth)).value('mpcrp_users')).toBe(0);
    web.draining();
    const draining = await fetch(`${web.url}/readyz`, { headers: auth });
    expect(draining.status).toBe(503);
    expect(((await draining.json()) as { ready: boolean }).ready).toBe(false);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${web.url}/nothing`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${web.url}/metrics`, { method: 'POST', headers: auth })).status).toBe(405);
  });
});
