// Inbound flood control: a connection over its frame rate is paused, not dropped, and is
// disconnected only when the flood persists past throttleTimeout.
import type net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { MpcrpServer } from '../../src/server/server.js';
import { RawClient } from '../helpers/raw-client.js';
import { parseData, serve, T } from '../server/harness.js';
import { bystanders, connectionsSettle, logged, stillServing } from './helpers.js';

describe('flood control over TCP', () => {
  it('pauses a burst over the rate, then handles every frame in order', async () => {
    const h = await serve({ frameRate: 1000, frameBurst: 50, throttleTimeout: 5000 });
    const b = await bystanders(h);
    const flooder = await h.owner('flooder', 'flood');
    const watcher = await h.member('watcher', 'flood');
    const n = 600;
    const started = performance.now();
    flooder.sendBytes(
      Buffer.concat(Array.from({ length: n }, (_, i) => encodeData('flood', `m${i}`))),
    );
    // The bystanders are not slowed while the flooder waits for tokens.
    let slowest = 0;
    for (let i = 0; i < 5; i++) {
      const asked = performance.now();
      await b.sender.expectNothing();
      slowest = Math.max(slowest, performance.now() - asked);
    }
    for (let i = 0; i < n; i++) {
      expect(parseData((await watcher.expect(T.Data)).payload).text).toBe(`m${i}`);
    }
    const took = performance.now() - started;
    // 550 frames past the burst at 1,000 per second: about half a second, never less.
    expect(took).toBeGreaterThanOrEqual(500);
    expect(slowest).toBeLessThan(took / 2);
    expect(logged(h, 'flood control: throttling reads', 'user=flooder')).toHaveLength(1);
    expect(logged(h, 'throttled too long')).toHaveLength(0);
    expect(await flooder.userList('flood')).toEqual(['flooder', 'watcher']);
    await Promise.all([flooder.close(), watcher.close()]);
    await stillServing(h, b);
  });

  it('stops reading a persistent flood (TCP pushes back), then drops it', async () => {
    const h = await serve({ frameRate: 1000, frameBurst: 50, throttleTimeout: 300 });
    const b = await bystanders(h);
    const flooder = await h.member('flooder', 'ok');
    const socket = flooder.socket as net.Socket;
    // 8 MiB of small frames: hours of work at this rate, and more than kernel buffers hold.
    const frame = encodeFrame(T.GetUserList, 'nowhere');
    const burst = Buffer.concat(
      Array.from({ length: (8 * 1024 * 1024) / frame.length }, () => frame),
    );
    socket.write(burst);
    while (logged(h, 'flood control: throttling reads').length === 0) {
      await b.sender.expectNothing();
    }
    // The server stopped reading: most of the burst is still queued at the sender (TCP
    // pushed back), not in the server's memory.
    expect(socket.writableLength).toBeGreaterThan(burst.length / 2);
    await flooder.closed;
    expect(logged(h, 'flood control: throttled too long', 'user=flooder')).toHaveLength(1);
    await connectionsSettle(h, b.sender, b.baseline);
    expect(await b.sender.userList('ok')).toEqual(['ok1', 'ok2']);
    const heir = await h.connect();
    expect(await heir.setName('flooder')).toBe('0');
    await heir.close();
    await stillServing(h, b);
  });
});

describe('flood control on a fake clock', () => {
  const servers: MpcrpServer[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('lets one frame through per 1/rate once the burst is spent, and no sooner', async () => {
    // Only timers and the clock are fake; the in-memory transport runs on setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const server = new MpcrpServer({ frameRate: 10, frameBurst: 5, throttleTimeout: 60_000 });
    servers.push(server);
    const c = new RawClient(server.connectMemory());
    const other = new RawClient(server.connectMemory());
    await c.register('paced'); // one token
    await other.register('other');
    const started = Date.now();
    c.sendBytes(
      Buffer.concat(Array.from({ length: 20 }, (_, i) => encodeFrame(T.GetUserList, `p${i}`))),
    );
    for (let i = 0; i < 4; i++) await c.expect(T.GetUserListResponse);
    // A round trip elsewhere gives the server every chance to answer more: it does not.
    await other.expectNothing();
    expect(c.queued).toBe(0);
    for (let i = 4; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(100);
      expect((await c.expect(T.GetUserListResponse)).payload.toString()).toMatch(`p${i}:`);
      await other.expectNothing();
      expect(c.queued).toBe(0);
    }
    expect(Date.now() - started).toBe(1600);
    await c.close();
    await other.close();
  });
});
