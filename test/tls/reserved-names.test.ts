// Reserved names: only a TLS client whose verified certificate names the user (CN or DNS
// SAN) may take it; everyone else gets the ordinary failure and the server logs why.
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/connect.js';
import { ConfigError, NameTakenError } from '../../src/errors.js';
import { MpcrpServer } from '../../src/server/server.js';
import { startServer } from '../../src/server/start.js';
import type { TlsClientOptions } from '../../src/transport/tcp.js';
import { pki, serveTls, track } from './harness.js';

const ca = pki.ca.cert;
const aliceCert = { ca, cert: pki.alice.cert, key: pki.alice.key };

async function refused(url: string, username: string, tls?: TlsClientOptions) {
  const c = track(await connect(url, tls ? { tls } : {}));
  await expect(c.setUserName(username)).rejects.toBeInstanceOf(NameTakenError);
  return c;
}

describe('reserved names', () => {
  it('alice with a certificate for alice gets the name, and keeps her room', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    const alice = track(await connect(h.tlsUrl, { username: 'alice', tls: aliceCert }));
    await alice.createRoom('ops');
    expect(await alice.getUserList('ops')).toEqual(['alice']);
    expect(h.logs.some((l) => l.includes('reserved name refused'))).toBe(false);
  });

  it('refuses alice over TLS without a certificate, with a log line saying why', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    await refused(h.tlsUrl, 'alice', { ca });
    expect(await h.logged(/reserved name refused/)).toMatch(/name=alice .*no client certificate/);
  });

  it('refuses alice over plaintext, with a log line saying why', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    await refused(h.running.url, 'alice');
    expect(await h.logged(/reserved name refused/)).toMatch(/name=alice .*not a TLS connection/);
  });

  it('closes the door on a disconnected owner: nobody else takes alice and her room', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    const alice = await connect(h.tlsUrl, { username: 'alice', tls: aliceCert });
    await alice.createRoom('alice-room');
    await alice.close();
    // Without the reservation this would succeed and hand over DestroyRoom on alice-room.
    const mallory = await refused(h.running.url, 'alice');
    await mallory.setUserName('mallory');
    const back = track(await connect(h.tlsUrl, { username: 'alice', tls: aliceCert }));
    await back.destroyRoom('alice-room');
  });

  it("another user's certificate cannot take alice", async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    await refused(h.tlsUrl, 'alice', { ca, cert: pki.bob.cert, key: pki.bob.key });
    expect(await h.logged(/reserved name refused/)).toMatch(/certificate is for \\"bob\\"/);
  });

  it('a certificate for alice from a CA the server does not trust cannot take alice', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    await refused(h.tlsUrl, 'alice', { ca, cert: pki.rogueAlice.cert, key: pki.rogueAlice.key });
    expect(await h.logged(/reserved name refused/)).toMatch(
      /not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT)/,
    );
  });

  it('a client retrying a reserved name cannot flood the log', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    const bob = track(await connect(h.tlsUrl, { username: 'bob', tls: { ca } }));
    const tries = Array.from({ length: 30 }, () => bob.setUserName('alice').catch((e) => e));
    for (const result of await Promise.all(tries)) expect(result).toBeInstanceOf(NameTakenError);
    const lines = h.logs.filter((l) => l.includes('reserved name refused'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(5);
  });

  it('a DNS subject alternative name counts like the CN', async () => {
    const h = await serveTls({ reservedNames: ['carol'] });
    const tls = { ca, cert: pki.carolBySan.cert, key: pki.carolBySan.key };
    const carol = track(await connect(h.tlsUrl, { username: 'carol', tls }));
    expect(carol.username).toBe('carol');
    // The CN of that certificate is not reserved, so it is free for anyone as usual.
    track(await connect(h.running.url, { username: 'some-device' }));
  });

  it('names not reserved stay first come, first served, on both listeners', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    track(await connect(h.running.url, { username: 'bob' }));
    track(await connect(h.tlsUrl, { username: 'dave', tls: { ca } }));
    // A certificate only matters for reserved names: with alice's, any free name works too.
    track(await connect(h.tlsUrl, { username: 'erin', tls: aliceCert }));
  });

  it('a rename onto a reserved name is refused like a first SetUserName', async () => {
    const h = await serveTls({ reservedNames: ['alice'] });
    const bob = track(await connect(h.tlsUrl, { username: 'bob', tls: { ca } }));
    await expect(bob.setUserName('alice')).rejects.toBeInstanceOf(NameTakenError);
    expect(bob.username).toBe('bob');
    const alice = track(await connect(h.tlsUrl, { username: 'al', tls: aliceCert }));
    await alice.setUserName('alice');
    expect(alice.username).toBe('alice');
  });

  it("'all' reserves every name: only certificate holders get theirs, plaintext gets none", async () => {
    const h = await serveTls({ reservedNames: 'all' });
    track(await connect(h.tlsUrl, { username: 'alice', tls: aliceCert }));
    track(
      await connect(h.tlsUrl, {
        username: 'bob',
        tls: { ca, cert: pki.bob.cert, key: pki.bob.key },
      }),
    );
    await refused(h.running.url, 'anyone');
    await refused(h.tlsUrl, 'anyone', { ca });
    await refused(h.tlsUrl, 'carol', aliceCert);
    expect(await h.logged(/reserved name refused/)).toMatch(/name=anyone .*not a TLS connection/);
    expect(h.logs.some((l) => l.includes('every username is reserved'))).toBe(true);
  });
});

describe('reserved names: configuration', () => {
  it('needs a TLS listener with a client CA', async () => {
    const noCa = serveTls({ reservedNames: ['alice'], tls: { ca: undefined } });
    await expect(noCa).rejects.toBeInstanceOf(ConfigError);
    await expect(noCa).rejects.toThrow(/--tls-ca/);
    await expect(startServer({ port: 0, reservedNames: 'all' })).rejects.toThrow(
      /reserved names need client certificates/,
    );
    // An empty list reserves nothing and needs nothing.
    const open = await startServer({ port: 0, reservedNames: [] });
    await open.close();
  });

  it('rejects names that are not valid usernames, and other values', () => {
    expect(() => new MpcrpServer({ reservedNames: ['ok', 'not ok'] })).toThrow(
      /reservedNames: "not ok" is not a valid username/,
    );
    expect(() => new MpcrpServer({ reservedNames: 'alice' as never })).toThrow(
      /list of usernames or 'all'/,
    );
  });

  it('an in-memory connection is never TLS, so it cannot take a reserved name', async () => {
    const server = new MpcrpServer({ reservedNames: ['alice'] });
    const { MpcrpClient } = await import('../../src/client/client.js');
    const c = new MpcrpClient(server.connectMemory());
    await expect(c.setUserName('alice')).rejects.toBeInstanceOf(NameTakenError);
    await c.setUserName('bob');
    c.destroy();
    await server.close();
  });
});
