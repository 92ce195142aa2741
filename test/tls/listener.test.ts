// The TLS listener: what it does with clients that never complete a handshake, how it
// runs beside (or without) the plaintext one, and how it reports bad configuration.
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/connect.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { encodeFrame } from '../../src/protocol/codec.js';
import { MessageType } from '../../src/protocol/types.js';
import { listenTls } from '../../src/server/listeners.js';
import { MpcrpServer } from '../../src/server/server.js';
import { startServer } from '../../src/server/start.js';
import { tlsServerSettings } from '../../src/server/tls.js';
import type { Transport } from '../../src/transport/transport.js';
import { closed, pki, rawTcp, rawTls, serveTls, track } from './harness.js';

const ca = pki.ca.cert;

/** A port nothing listens on right now: bound on 0, then closed. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('clients that do not complete a TLS handshake', () => {
  it('plaintext MPCRP bytes to the TLS port: closed, one log line, others unaffected', async () => {
    const h = await serveTls();
    const alice = track(await connect(h.tlsUrl, { username: 'alice', tls: { ca } }));
    await alice.createRoom('r');
    const plain = await rawTcp(h.tlsPort);
    plain.write(encodeFrame(MessageType.SetUserName, 'mallory'));
    await closed(plain);
    const line = await h.logged(/TLS handshake failed/);
    expect(line).toMatch(/remote=127\.0\.0\.1 .*not TLS/);
    expect(h.logs.filter((l) => l.includes('TLS handshake failed'))).toHaveLength(1);
    // The plaintext client never reached the MPCRP server.
    expect(h.logs.some((l) => l.includes('mallory'))).toBe(false);
    expect(await alice.getUserList('r')).toEqual(['alice']);
    track(await connect(h.tlsUrl, { username: 'bob', tls: { ca } }));
  });

  it('a flood of failed handshakes logs about one line a second, not one per connection', async () => {
    const h = await serveTls();
    const flood = await Promise.all(Array.from({ length: 20 }, () => rawTcp(h.tlsPort)));
    for (const socket of flood) socket.write('not TLS at all\r\n');
    await Promise.all(flood.map(closed));
    const lines = h.logs.filter((l) => l.includes('TLS handshake failed'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(5);
  });

  it('a stalled handshake is closed after handshakeTimeout, logged, others unaffected', async () => {
    const h = await serveTls({ tls: { handshakeTimeout: 150 } });
    const staller = await rawTcp(h.tlsPort); // connects, never says a word
    const alice = track(await connect(h.tlsUrl, { username: 'alice', tls: { ca } }));
    await closed(staller);
    expect(await h.logged(/TLS handshake failed/)).toMatch(/no TLS handshake within 150 ms/);
    await alice.createRoom('still-here');
    expect(await alice.getUserList('still-here')).toEqual(['alice']);
  });

  it('a handshake in progress counts against maxConnections', async () => {
    const h = await serveTls({ maxConnections: 1 });
    const first = await rawTcp(h.tlsPort); // holds the only slot while it handshakes
    const second = await rawTcp(h.tlsPort);
    await closed(second);
    expect(await h.logged(/connection refused: maxConnections reached/)).toContain(
      'maxConnections=1',
    );
    first.destroy();
  });

  it('one maxConnections over both listeners: stalled handshakes and plaintext logins together', async () => {
    // Issue 11: 50 stalled handshakes plus 20 plaintext logins were all accepted under 50.
    const h = await serveTls({ maxConnections: 5 });
    const stalled = await Promise.all([1, 2, 3].map(() => rawTcp(h.tlsPort)));
    // The server holds their places: only two plaintext logins fit beside them.
    const users: string[] = [];
    const refused: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        track(await connect(h.running.url, { username: `p${i}` }));
        users.push(`p${i}`);
      } catch (error) {
        refused.push(error);
      }
    }
    expect(users).toEqual(['p0', 'p1']);
    expect(refused).toHaveLength(2);
    // A handshake closing gives its place back, to either listener.
    stalled[0]!.destroy();
    await closed(stalled[0]!);
    let admitted = false;
    for (let i = 0; i < 100 && !admitted; i++) {
      admitted = await connect(h.running.url, { username: `late${i}` }).then(
        (c) => {
          track(c);
          return true;
        },
        () => false,
      );
    }
    expect(admitted).toBe(true);
    expect(h.logs.some((l) => l.includes('connection refused: maxConnections reached'))).toBe(true);
    for (const s of stalled) s.destroy();
  });

  it('close() does not wait out a stalled handshake', async () => {
    const h = await serveTls({ tls: { handshakeTimeout: 600_000 } });
    const staller = await rawTcp(h.tlsPort);
    const alice = track(await connect(h.tlsUrl, { username: 'alice', tls: { ca } }));
    const aliceClosed = new Promise((resolve) => alice.once('close', resolve));
    await h.running.close(); // would take ten minutes if it waited for the staller
    await closed(staller);
    await aliceClosed;
    expect(h.logs.filter((l) => l.includes('stopped'))).toHaveLength(2);
  });
});

describe('listeners', () => {
  it('plaintext: false serves TLS only; url and port are then the TLS ones', async () => {
    const running = await startServer({
      host: '127.0.0.1',
      plaintext: false,
      tls: { cert: pki.server.cert, key: pki.server.key, port: 0 },
    });
    try {
      expect(running.urls).toEqual([running.tlsUrl]);
      expect(running.url).toBe(running.tlsUrl);
      expect(running.port).toBe(running.tlsPort);
      const c = await connect(running.url, { username: 'only-tls', tls: { ca } });
      await c.close();
    } finally {
      await running.close();
    }
  });

  it('without tls there is no tlsUrl, and one URL', async () => {
    const running = await startServer({ host: '127.0.0.1', port: 0 });
    expect(running.tlsUrl).toBeUndefined();
    expect(running.tlsPort).toBeUndefined();
    expect(running.urls).toEqual([running.url]);
    await running.close();
  });

  it('a TLS client certificate is requested only when a client CA is configured', async () => {
    const seen: string[] = [];
    let accepted = (): void => {};
    // Records what each accepted TLS connection proved about its client.
    class Recorder extends MpcrpServer {
      override accept(transport: Transport): void {
        const cert = (transport as TLSSocket).getPeerCertificate();
        seen.push(String(cert?.subject?.CN ?? 'none'));
        super.accept(transport);
        accepted();
      }
    }
    for (const withCa of [true, false]) {
      const server = new Recorder();
      const settings = tlsServerSettings({
        cert: pki.server.cert,
        key: pki.server.key,
        ...(withCa ? { ca } : {}),
      });
      const listener = await listenTls(server, {
        host: '127.0.0.1',
        port: 0,
        logger: silentLogger,
        tls: settings,
      });
      const done = new Promise<void>((resolve) => {
        accepted = resolve;
      });
      const socket = await rawTls(listener.port, { cert: pki.alice.cert, key: pki.alice.key });
      await done;
      socket.destroy();
      await server.close();
      await listener.close();
    }
    expect(seen).toEqual(['alice', 'none']);
  });

  it('frees the plaintext port again when the TLS port cannot be bound', async () => {
    const h = await serveTls();
    const port = await freePort();
    const attempt = startServer({
      host: '127.0.0.1',
      port,
      tls: { cert: pki.server.cert, key: pki.server.key, port: h.tlsPort },
    });
    await expect(attempt).rejects.toThrow(/EADDRINUSE/);
    const again = await startServer({ host: '127.0.0.1', port });
    await again.close();
  });
});

describe('configuration errors', () => {
  const cert = pki.server.cert;
  const key = pki.server.key;
  const start = (options: Parameters<typeof startServer>[0]) =>
    startServer({ host: '127.0.0.1', port: 0, ...options });

  it('names the part of the TLS material that is wrong', async () => {
    await expect(start({ tls: { cert: 'not a certificate', key } })).rejects.toThrow(
      /tls\.cert \(serve --tls-cert\) is not a PEM certificate/,
    );
    await expect(start({ tls: { cert, key: 'junk' } })).rejects.toThrow(
      /tls\.key \(serve --tls-key\) is not an unencrypted PEM private key/,
    );
    await expect(start({ tls: { cert, key: pki.alice.key } })).rejects.toThrow(
      /key .* does not belong to the certificate/,
    );
    await expect(start({ tls: { cert, key, ca: 'garbage' } })).rejects.toThrow(
      /tls\.ca \(serve --tls-ca\) is not a PEM CA bundle/,
    );
    const all = start({ tls: { cert: 'x', key: 'y', handshakeTimeout: 0 } });
    await expect(all).rejects.toBeInstanceOf(ConfigError);
    await expect(all).rejects.toSatisfy((e: ConfigError) => e.issues.length === 3);
  });

  it('refuses a listener set-up that cannot work', async () => {
    await expect(start({ plaintext: false })).rejects.toThrow(/nothing to listen on/);
    await expect(start({ port: 9999, tls: { cert, key, port: 9999 } })).rejects.toThrow(
      /both 9999/,
    );
    await expect(start({ tls: { cert, key, port: 70_000 } })).rejects.toThrow(/tls\.port/);
  });
});
