import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  encodeFrame,
  FrameDecoder,
  MessageType,
  MpcrpClient,
  type RunningServer,
  startServer,
} from '../../src/index.js';

let server: RunningServer;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
  await server.close();
});

async function user(name: string, extensions = false) {
  const c = await connect(server.url, { username: name, extensions });
  cleanup.push(() => c.close());
  return c;
}

/**
 * A scripted server for the client's edge cases: `reply` sees each decoded frame and
 * returns the bytes to answer with.
 */
async function scriptedServer(reply: (type: number, payload: Buffer) => Buffer[]) {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk))
        for (const out of reply(f.type, f.payload)) socket.write(out);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  );
  return { url: `mpcrp://127.0.0.1:${port}`, sockets };
}

describe('client library', () => {
  it('maps every failure to a typed error with a stable code', async () => {
    const a = await user('typed-a');
    const b = await user('typed-b');
    await a.createRoom('typed');
    await expect(b.joinRoom('nope-typed')).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    await expect(b.quitRoom('typed')).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await expect(b.getUserList('typed')).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await expect(b.destroyRoom('typed')).rejects.toMatchObject({ code: 'NOT_OWNER' });
    await expect(b.createRoom('bad:room')).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await expect(b.setUserName('has space')).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });

  it('refuses room commands before a username is set', async () => {
    const c = await connect(server.url);
    cleanup.push(() => c.close());
    await expect(c.createRoom('early')).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
    expect(() => c.send('early', 'x')).toThrow(expect.objectContaining({ code: 'NOT_REGISTERED' }));
  });

  it('matches pipelined identical requests first-in first-out', async () => {
    const a = await user('pipe-a');
    await a.createRoom('pipe');
    const results = await Promise.allSettled([
      a.getUserList('pipe'),
      a.joinRoom('pipe'),
      a.getUserList('pipe'),
      a.createRoom('pipe'),
      a.quitRoom('pipe'),
      a.quitRoom('pipe'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
  });

  it('refuses text longer than one frame with a clear error', async () => {
    const a = await user('long-a');
    await a.createRoom('long');
    const limit = a.maxTextBytes('long');
    expect(() => a.send('long', 'x'.repeat(limit + 1))).toThrow(/split it/);
    a.send('long', 'x'.repeat(limit));
    // Measured in UTF-8 bytes, not characters: 2 bytes per 'é'.
    const half = Math.floor(limit / 2);
    const over = `${'é'.repeat(half)}${'x'.repeat(limit - 2 * half + 1)}`;
    expect(() => a.send('long', over)).toThrow(
      expect.objectContaining({ code: 'TEXT_TOO_LONG', bytes: limit + 1, limit }),
    );
    a.send('long', 'é'.repeat(half));
    await a.ping();
  });

  it('discards unsolicited and duplicate responses', async () => {
    const { url } = await scriptedServer((type, payload) => {
      if (type === MessageType.SetUserName) {
        // The first name gets a duplicate answer and an unsolicited JoinRoom response.
        if (payload.toString() !== 'dup') return [encodeFrame(2, '1')];
        return [encodeFrame(2, '0'), encodeFrame(2, '0'), encodeFrame(6, 'ghost:0')];
      }
      if (type === MessageType.CreateRoom) return [encodeFrame(4, `${payload}:1`)];
      return [];
    });
    const c = await connect(url, { username: 'dup', extensions: false });
    cleanup.push(() => c.close());
    // Had the duplicate '0' been kept, this rename would have taken it and succeeded.
    await expect(c.setUserName('again')).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    expect(c.username).toBe('dup');
    await expect(c.createRoom('r')).rejects.toMatchObject({ code: 'ROOM_EXISTS' });
    expect(c.rooms.has('ghost')).toBe(false);
  });

  it('times out a request the server never answers', async () => {
    const { url } = await scriptedServer((type) => (type === 1 ? [encodeFrame(2, '0')] : []));
    const c = await connect(url, { username: 'slow', extensions: false, requestTimeout: 50 });
    cleanup.push(() => c.close());
    await expect(c.joinRoom('void')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('fails outstanding requests when the connection drops', async () => {
    const { url, sockets } = await scriptedServer((type) =>
      type === 1 ? [encodeFrame(2, '0')] : [],
    );
    const c = await connect(url, { username: 'dropped', extensions: false });
    const closed = new Promise((r) => c.once('close', r));
    const pending = c.joinRoom('lost');
    for (const s of sockets) s.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(await closed).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(() => c.send('lost', 'x')).toThrow(/closed/);
  });

  it('connectTimeout bounds the SetUserName and Hello round trips too', async () => {
    const mute = await scriptedServer(() => []);
    const started = Date.now();
    await expect(
      connect(mute.url, { username: 'x', connectTimeout: 100, requestTimeout: 10_000 }),
    ).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
      message: expect.stringMatching(/no MPCRP answer to SetUserName within 100 ms/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    // Accepts the name, then ignores the Hello and the GetUserList behind it.
    const half = await scriptedServer((type) => (type === 1 ? [encodeFrame(2, '0')] : []));
    await expect(connect(half.url, { username: 'y', connectTimeout: 100 })).rejects.toMatchObject({
      message: expect.stringMatching(/no MPCRP answer to Hello within 100 ms/),
    });
    // Each attempt was dropped, not left open.
    await Promise.all(
      [...mute.sockets, ...half.sockets].map(
        (sock) => sock.destroyed || new Promise((resolve) => sock.once('close', resolve)),
      ),
    );
  });

  it('an aborted signal ends a connect at once, in any stage', async () => {
    let named: () => void = () => {};
    const gotName = new Promise<void>((resolve) => {
      named = resolve;
    });
    const mute = await scriptedServer((type) => {
      if (type === MessageType.SetUserName) named();
      return [];
    });
    const ac = new AbortController();
    const pending = connect(mute.url, { username: 'z', connectTimeout: 60_000, signal: ac.signal });
    await gotName; // in the handshake now, waiting for an answer that never comes
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED', message: /aborted/ });
    const before = new AbortController();
    before.abort();
    await expect(connect(mute.url, { signal: before.signal })).rejects.toMatchObject({
      message: /aborted/,
    });
  });

  it('reports a refused connection as CONNECT_FAILED with advice', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(connect(`mpcrp://127.0.0.1:${port}`)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
      message: expect.stringMatching(/refused.*mpcrp-bot serve/),
    });
  });

  it('negotiates extensions with our server and gets the sender', async () => {
    const a = await user('ext-a', true);
    const b = await user('ext-b', true);
    expect([...a.extensions].sort()).toEqual(['presence', 'rooms', 'sender']);
    await a.createRoom('ext');
    const joined = new Promise((r) => a.once('presence', r));
    await b.joinRoom('ext');
    expect(await joined).toEqual({ room: 'ext', event: 'join', user: 'ext-b' });
    const got = new Promise((r) => a.once('message', r));
    b.send('ext', 'who am i');
    expect(await got).toEqual({ room: 'ext', text: 'who am i', sender: 'ext-b' });
    expect(await a.listRooms()).toContainEqual({ room: 'ext', members: 2 });
  });

  it('learns in one round trip that a strict server has no extensions', async () => {
    const strict = await startServer({ port: 0, extensions: false });
    cleanup.push(() => strict.close());
    const c = await connect(strict.url, { username: 'strict', requestTimeout: 5_000 });
    cleanup.push(() => c.close());
    expect(c.extensions.size).toBe(0);
    await expect(c.listRooms()).rejects.toMatchObject({ code: 'EXTENSION_UNAVAILABLE' });
  });

  it('pause() holds incoming messages until resume()', async () => {
    const reader = await user('pause-reader');
    const writer = await user('pause-writer');
    const witness = await user('pause-witness');
    await reader.createRoom('paused');
    await writer.joinRoom('paused');
    await witness.joinRoom('paused');
    const seen: string[] = [];
    reader.on('message', (m) => seen.push(m.text));
    const witnessed = new Promise<void>((resolve) =>
      witness.on('message', (m) => m.text === 'two' && resolve()),
    );
    reader.pause();
    writer.send('paused', 'one');
    writer.send('paused', 'two');
    // The server writes to reader and witness in the same flush; only the witness reads.
    await witnessed;
    await witness.ping();
    expect(seen).toEqual([]);
    const second = new Promise<void>((resolve) =>
      reader.on('message', (m) => m.text === 'two' && resolve()),
    );
    reader.resume();
    await second;
    expect(seen).toEqual(['one', 'two']);
  });

  it('runs over the in-memory transport too', async () => {
    const c = new MpcrpClient(server.server.connectMemory());
    cleanup.push(() => c.close());
    await c.setUserName('memory');
    await c.createRoom('memroom');
    expect(await c.getUserList('memroom')).toEqual(['memory']);
  });
});
