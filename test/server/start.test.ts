// startServer: binding, URL, close() with clients still connected, in-memory connections.
import type net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server/start.js';
import { memoryTransportPair } from '../../src/transport/memory.js';
import { RawClient } from '../helpers/raw-client.js';
import { membersOnceSettled, parseData, serve, T } from './harness.js';

describe('startServer', () => {
  it('binds 127.0.0.1 on a free port and reports an mpcrp:// URL', async () => {
    const h = await serve();
    const { url, host, port } = h.running;
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`mpcrp://127.0.0.1:${port}`);
    expect(h.logs.some((l) => l.includes('listening') && l.includes(url))).toBe(true);
  });

  it('logs one line when a connection opens and one when it closes', async () => {
    const h = await serve();
    const c = await h.user('a');
    await c.close();
    const closedLine = () => h.logs.filter((l) => l.includes('connection closed'));
    await h.running.close();
    expect(h.logs.filter((l) => l.includes('connection opened'))).toHaveLength(1);
    expect(closedLine()).toHaveLength(1);
    expect(closedLine()[0]).toContain('user=a');
  });

  it('close() closes connected clients and resolves; the port is free again', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    const anon = await h.connect();
    await h.running.close();
    await Promise.all([a.closed, b.closed, anon.closed]);
    expect(h.running.server.connectionCount).toBe(0);
    const again = await startServer({ port: h.running.port });
    await again.close();
  });

  it('close() cuts off a client that never closes its end, after closeTimeout', async () => {
    const h = await serve({ closeTimeout: 50 });
    const lingerer = await RawClient.connect(h.running.port, '127.0.0.1', { allowHalfOpen: true });
    await lingerer.register('lingerer');
    const ended = new Promise((resolve) => (lingerer.socket as net.Socket).once('end', resolve));
    await h.running.close(); // would hang here if the server waited for the client's FIN
    await ended;
    expect(lingerer.isClosed).toBe(false); // its own side is still open: it was cut off
    lingerer.socket.destroy();
  });

  it('refuses connections once closed', async () => {
    const h = await serve();
    await h.running.close();
    const [client, server] = memoryTransportPair();
    h.running.server.accept(server);
    expect(server.destroyed).toBe(true);
    client.destroy();
    await expect(RawClient.connect(h.running.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects when the port is taken, and on a bad port', async () => {
    const h = await serve();
    await expect(startServer({ port: h.running.port })).rejects.toThrow(/EADDRINUSE/);
    await expect(startServer({ port: 70_000 })).rejects.toBeInstanceOf(ConfigError);
    await expect(startServer({ port: 0, maxPayload: 1 })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('connectMemory', () => {
  it('serves an in-process client alongside TCP clients', async () => {
    const h = await serve();
    const tcp = await h.owner('tcp', 'r');
    const mem = new RawClient(h.running.server.connectMemory());
    await mem.register('mem');
    expect(await mem.command(T.JoinRoom, 'r')).toBe('r:0');
    mem.data('r', 'from memory');
    expect(parseData((await tcp.expect(T.Data)).payload).text).toBe('from memory');
    tcp.data('r', 'from tcp');
    expect(parseData((await mem.expect(T.Data)).payload).text).toBe('from tcp');
    await mem.close();
    expect(await membersOnceSettled(tcp, 'r', ['tcp'])).toEqual(['tcp']);
  });

  it('is silent by default, and logs under the server scope when given a logger', async () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const running = await startServer({ port: 0 });
      await new RawClient(running.server.connectMemory()).register('x');
      await running.close();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
    const lines: string[] = [];
    const logged = await startServer({
      port: 0,
      logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
    });
    await new RawClient(logged.server.connectMemory()).register('y');
    await logged.close();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.every((l) => l.includes('[server]'))).toBe(true);
  });
});
