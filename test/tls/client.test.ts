// mpcrps:// from the library: verification against a CA, --insecure, and every TLS failure
// as a ConnectError (CONNECT_FAILED) or TlsError whose message says what to do.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect } from '../../src/client/connect.js';
import { ConnectError, ErrorCode, TlsError } from '../../src/errors.js';
import type { RoomMessage } from '../../src/index.js';
import { INSECURE_WARNING_CODE } from '../../src/transport/tcp.js';
import { pki, rawTls, serveTls, track } from './harness.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function connectError(url: string, options: Parameters<typeof connect>[1]): Promise<Error> {
  const error = await connect(url, options).then(
    (c) => {
      c.destroy();
      throw new Error('connected, but should have failed');
    },
    (e: unknown) => e as Error,
  );
  return error;
}

describe('mpcrps:// round trip', () => {
  it('connects with the CA, and TLS and plaintext users share rooms', async () => {
    const h = await serveTls();
    expect(h.running.tlsUrl).toBe(`mpcrps://127.0.0.1:${h.tlsPort}`);
    expect(h.running.urls).toEqual([h.running.url, h.running.tlsUrl]);
    const alice = track(await connect(h.tlsUrl, { username: 'alice', tls: { ca: pki.ca.cert } }));
    const bob = track(await connect(h.running.url, { username: 'bob' }));
    await alice.createRoom('lobby');
    await bob.joinRoom('lobby');
    const got = new Promise<RoomMessage>((resolve) => alice.once('message', resolve));
    bob.send('lobby', 'hello over plaintext');
    expect(await got).toMatchObject({ room: 'lobby', text: 'hello over plaintext', sender: 'bob' });
    const back = new Promise<RoomMessage>((resolve) => bob.once('message', resolve));
    alice.send('lobby', 'hello over TLS');
    expect(await back).toMatchObject({ text: 'hello over TLS', sender: 'alice' });
    expect(await alice.getUserList('lobby')).toEqual(['alice', 'bob']);
    await alice.close();
  });

  it('speaks TLS 1.2 or later; a client offering only TLS 1.1 is refused and logged', async () => {
    const h = await serveTls();
    expect((await rawTls(h.tlsPort)).getProtocol()).toBe('TLSv1.3');
    expect((await rawTls(h.tlsPort, { maxVersion: 'TLSv1.2' })).getProtocol()).toBe('TLSv1.2');
    await expect(
      rawTls(h.tlsPort, {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
    ).rejects.toThrow(/protocol version/);
    expect(await h.logged(/TLS handshake failed/)).toMatch(/below TLS 1\.2/);
  });
});

describe('server certificate verification', () => {
  it('an untrusted certificate is CONNECT_FAILED, naming the problem and --ca', async () => {
    const h = await serveTls();
    const error = await connectError(h.tlsUrl, { username: 'x' });
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(ErrorCode.ConnectFailed);
    expect(error.message).toContain(h.tlsUrl);
    expect(error.message).toMatch(/not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY)/);
    expect(error.message).toContain('--ca FILE');
    // The server saw the client give up and says so in one line.
    expect(await h.logged(/TLS handshake failed/)).toMatch(/trust/);
  });

  it('a certificate from another CA is refused even with a CA given', async () => {
    const h = await serveTls({ tls: { cert: pki.rogueServer.cert, key: pki.rogueServer.key } });
    const error = await connectError(h.tlsUrl, { tls: { ca: pki.ca.cert } });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(/not trusted .*--ca FILE/);
  });

  it('a certificate for another host name says so and how to connect', async () => {
    const h = await serveTls({ tls: { cert: pki.wrongHost.cert, key: pki.wrongHost.key } });
    const error = await connectError(h.tlsUrl, { tls: { ca: pki.ca.cert } });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(/does not match the host name/);
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).toContain('--server');
  });

  it('servername verifies against another name than the URL host', async () => {
    const h = await serveTls({ tls: { cert: pki.wrongHost.cert, key: pki.wrongHost.key } });
    const c = track(
      await connect(h.tlsUrl, {
        username: 'sni',
        tls: { ca: pki.ca.cert, servername: 'chat.example.org' },
      }),
    );
    expect(c.username).toBe('sni');
  });

  it('insecure connects to an untrusted server and warns on every dial', async () => {
    const h = await serveTls({ tls: { cert: pki.rogueServer.cert, key: pki.rogueServer.key } });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    for (const name of ['risky1', 'risky2']) {
      const c = track(await connect(h.tlsUrl, { username: name, tls: { insecure: true } }));
      expect(c.username).toBe(name);
    }
    expect(warn).toHaveBeenCalledTimes(2);
    const [message, options] = warn.mock.calls[0]!;
    expect(message).toMatch(/verification is OFF for mpcrps:\/\/127\.0\.0\.1:\d+ \(--insecure\)/);
    expect(options).toMatchObject({ code: INSECURE_WARNING_CODE });
  });

  it('insecure with onInsecure: the callback gets the warning instead of the process', async () => {
    const h = await serveTls({ tls: { cert: pki.rogueServer.cert, key: pki.rogueServer.key } });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const told: string[] = [];
    const tls = { insecure: true, onInsecure: (m: string) => told.push(m) };
    track(await connect(h.tlsUrl, { username: 'told', tls }));
    expect(warn).not.toHaveBeenCalled();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/verification is OFF for mpcrps:\/\/127\.0\.0\.1:\d+ \(--insecure\)/);
  });

  it('never warns without insecure', async () => {
    const h = await serveTls();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    track(await connect(h.tlsUrl, { tls: { ca: pki.ca.cert } }));
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('wrong ports and bad local material', () => {
  it('mpcrps:// to a plaintext port fails with a hint about the port', async () => {
    const h = await serveTls();
    const error = await connectError(h.running.url.replace('mpcrp:', 'mpcrps:'), {
      tls: { ca: pki.ca.cert },
    });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(/TLS port|plaintext/);
    // The plaintext listener took the ClientHello for an oversized frame and closed it.
    await h.logged(/frame over maxPayload, closing/);
  });

  it('a key that does not belong to the certificate is a TlsError naming --cert and --key', async () => {
    const h = await serveTls();
    const error = await connectError(h.tlsUrl, {
      tls: { ca: pki.ca.cert, cert: pki.alice.cert, key: pki.bob.key },
    });
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toMatch(/does not belong .*--cert and --key/);
  });

  it('a file name where PEM text belongs, or a certificate without its key, is a TlsError', async () => {
    const h = await serveTls();
    const byName = await connectError(h.tlsUrl, { tls: { ca: pki.ca.certFile } });
    expect(byName).toBeInstanceOf(TlsError);
    expect(byName.message).toMatch(/ca is not PEM text .*contents/);
    const half = await connectError(h.tlsUrl, { tls: { ca: pki.ca.cert, cert: pki.alice.cert } });
    expect(half).toBeInstanceOf(TlsError);
    expect(half.message).toMatch(/--cert and --key/);
  });
});
