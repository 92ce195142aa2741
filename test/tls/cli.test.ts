// The CLI over TLS, as real processes: `serve` with both listeners, `send` and `run` to
// mpcrps://, verification failures as exit 3, reserved names, and serve's usage errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/connect.js';
import type { MpcrpClient, PresenceEvent } from '../../src/index.js';
import { type CliProcess, CWD, inbox, run, start } from '../cli/cli-harness.js';
import { pki, track } from './harness.js';

const ECHO = fileURLToPath(new URL('../../bots/echo.ts', import.meta.url));
const serveFlags = ['--tls-cert', pki.server.certFile, '--tls-key', pki.server.keyFile];
const ca = pki.ca.cert;
const servers: CliProcess[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
});

/** `serve` on port 0 for both listeners; resolves with its MPCRP_URL lines. */
async function serve(...extra: string[]): Promise<{ p: CliProcess; urls: string[] }> {
  const p = start(['serve', '--port', '0', '--tls-port', '0', ...extra]);
  servers.push(p);
  const expected = extra.includes('--no-plaintext') || !extra.includes('--tls-cert') ? 1 : 2;
  const lines = await p.waitForLines(expected);
  return { p, urls: lines.map((l) => l.replace(/^MPCRP_URL=/, '')) };
}

/** A TLS member of `room`, who sees what arrives there. */
async function watcher(url: string, room: string): Promise<MpcrpClient> {
  const c = track(await connect(url, { username: `w-${room}`, tls: { ca } }));
  await c.createRoom(room);
  return c;
}

describe('serve with TLS', () => {
  it('prints one MPCRP_URL line per listener, plaintext first, and nothing else', async () => {
    const { p, urls } = await serve(...serveFlags);
    expect(urls).toHaveLength(2);
    expect(urls[0]).toMatch(/^mpcrp:\/\/127\.0\.0\.1:\d+$/);
    expect(urls[1]).toMatch(/^mpcrps:\/\/127\.0\.0\.1:\d+$/);
    await p.waitForStderr(/listening url=mpcrps:/);
    p.child.kill('SIGTERM');
    const result = await p.exited;
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    expect(result.stdout.trim().split('\n')).toEqual(urls.map((u) => `MPCRP_URL=${u}`));
  });

  it('--no-plaintext prints and serves only mpcrps://', async () => {
    const { urls } = await serve(...serveFlags, '--no-plaintext');
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/^mpcrps:/);
  });

  it('takes its TLS settings and reserved names from the config file', async () => {
    const file = join(CWD, 'tls-serve.yaml');
    writeFileSync(
      file,
      [
        'serve:',
        '  tls:',
        `    cert: ${pki.server.certFile}`,
        `    key: ${pki.server.keyFile}`,
        `    ca: ${pki.ca.certFile}`,
        '    handshakeTimeout: 5s',
        '  reservedNames: all',
        '',
      ].join('\n'),
    );
    const p = start(['serve', '-c', file, '--port', '0', '--tls-port', '0']);
    servers.push(p);
    const urls = (await p.waitForLines(2)).map((l) => l.replace(/^MPCRP_URL=/, ''));
    const alice = { ca, cert: pki.alice.cert, key: pki.alice.key };
    track(await connect(urls[1]!, { username: 'alice', tls: alice }));
    const anon = track(await connect(urls[0]!));
    await expect(anon.setUserName('bob')).rejects.toThrow(/taken/);
    await p.waitForStderr(/reserved name refused .*name=bob/);
  });
});

describe('serve: limits from the config file', () => {
  it('applies the abuse limits that have no flag (here maxConnections)', async () => {
    const file = join(CWD, 'limits-serve.yaml');
    writeFileSync(file, 'serve:\n  maxConnections: 1\n  closeTimeout: 500ms\n');
    const p = start(['serve', '-c', file, '--port', '0']);
    servers.push(p);
    const url = (await p.waitForLines(1))[0]!.replace(/^MPCRP_URL=/, '');
    track(await connect(url, { username: 'first' }));
    const second = await connect(url);
    await new Promise((resolve) => second.once('close', resolve));
    await p.waitForStderr(/connection refused: maxConnections reached .*maxConnections=1/);
    const check = await run(['config', 'check', '-c', file]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/closeTimeout: 500ms/);
  });
});

describe('send to mpcrps://', () => {
  it('with --ca: exits 0 once delivered, stdout clean', async () => {
    const { urls } = await serve(...serveFlags);
    const w = await watcher(urls[1]!, 'tls-room');
    const box = inbox(w);
    const r = await run(['send', '-s', urls[1]!, '--ca', pki.ca.certFile, '-r', 'tls-room', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await box.next(1))[0]).toMatchObject({ room: 'tls-room', text: 'hi' });
  });

  it('--create over TLS, as the issue spells it', async () => {
    const { urls } = await serve(...serveFlags);
    const r = await run([
      'send',
      '--server',
      urls[1]!,
      '--ca',
      pki.ca.certFile,
      '-r',
      'room',
      '--create',
      'hi',
    ]);
    expect(r.code).toBe(0);
  });

  it('without --ca: exit 3, naming the certificate problem and --ca', async () => {
    const { urls } = await serve(...serveFlags);
    const r = await run(['send', '-s', urls[1]!, '-r', 'room', 'hi']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /server certificate not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
    );
    expect(r.stderr).toContain('--ca FILE');
  });

  it('--insecure connects, and warns on stderr', async () => {
    const { urls } = await serve(...serveFlags);
    await watcher(urls[1]!, 'risky');
    const r = await run(['send', '-s', urls[1]!, '--insecure', '-r', 'risky', 'hi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    // The project's own warning, one line: before, Node's "(node:PID) [MPCRP_INSECURE_TLS]
    // Warning: ..." came with its "(Use `node --trace-warnings ...`)" line.
    expect(r.stderr).toMatch(
      /^mpcrp-bot: warning: TLS certificate verification is OFF for mpcrps:\S+ \(--insecure\).*--ca FILE.*\n$/,
    );
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/trace-warnings|\(node:/);
  });

  it('MPCRP_CA, MPCRP_CERT and MPCRP_KEY stand in for --ca, --cert and --key; the flags win', async () => {
    const { urls } = await serve(...serveFlags, '--tls-ca', pki.ca.certFile, '--reserve', 'alice');
    await watcher(urls[1]!, 'envtls');
    const env = {
      MPCRP_CA: pki.ca.certFile,
      MPCRP_CERT: pki.alice.certFile,
      MPCRP_KEY: pki.alice.keyFile,
    };
    const args = ['send', '-s', urls[1]!, '-u', 'alice', '-r', 'envtls'];
    // Before: the variables were ignored, so the server was not trusted (exit 3).
    const r = await run([...args, 'from env'], { env });
    expect(r.code, r.stderr).toBe(0);
    const bad = { ...env, MPCRP_CA: join(CWD, 'no-such-env-ca.pem') };
    const flagWins = await run([...args, '--ca', pki.ca.certFile, 'flag wins'], { env: bad });
    expect(flagWins.code, flagWins.stderr).toBe(0);
    const envBad = await run([...args, 'bad env'], { env: bad });
    expect(envBad.code).toBe(2);
    expect(envBad.stderr).toMatch(/no-such-env-ca\.pem \(ENOENT\).*MPCRP_CA/);
  });

  it('an unreadable --ca file is a usage error naming the file', async () => {
    const { urls } = await serve(...serveFlags);
    const r = await run([
      'send',
      '-s',
      urls[1]!,
      '--ca',
      join(CWD, 'no-such-ca.pem'),
      '-r',
      'x',
      'hi',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-ca\.pem \(ENOENT\)/);
  });

  it('a reserved name: --cert/--key for it exits 0; without them exit 4, saying it may be reserved', async () => {
    const { urls } = await serve(...serveFlags, '--tls-ca', pki.ca.certFile, '--reserve', 'alice');
    await watcher(urls[1]!, 'ops');
    const tlsArgs = ['-s', urls[1]!, '--ca', pki.ca.certFile, '-u', 'alice', '-r', 'ops'];
    const withCert = await run([
      'send',
      ...tlsArgs,
      '--cert',
      pki.alice.certFile,
      '--key',
      pki.alice.keyFile,
      'signed',
    ]);
    expect(withCert.code).toBe(0);
    const without = await run(['send', ...tlsArgs, 'unsigned']);
    expect(without.code).toBe(4);
    expect(without.stderr).toMatch(/reserves it .*--cert FILE --key FILE/);
    const plain = await run(['send', '-s', urls[0]!, '-u', 'alice', '-r', 'ops', 'plain']);
    expect(plain.code).toBe(4);
  });
});

describe('run to mpcrps://', () => {
  it('a bot connects with its certificate and takes its reserved name', async () => {
    const { urls } = await serve(...serveFlags, '--tls-ca', pki.ca.certFile, '--reserve', 'alice');
    const w = await watcher(urls[1]!, 'lobby');
    const joined = new Promise<PresenceEvent>((resolve) => w.on('presence', resolve));
    const bot = start([
      'run',
      ECHO,
      '-s',
      urls[1]!,
      '--ca',
      pki.ca.certFile,
      '--cert',
      pki.alice.certFile,
      '--key',
      pki.alice.keyFile,
      '-u',
      'alice',
      '-r',
      'lobby',
    ]);
    expect(await joined).toMatchObject({ room: 'lobby', event: 'join', user: 'alice' });
    const box = inbox(w);
    w.send('lobby', 'echo me');
    expect((await box.next(1))[0]).toMatchObject({ text: 'echo me', sender: 'alice' });
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });
});

describe('serve usage errors (exit 2, with the fix)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      'a certificate without its key',
      ['--tls-cert', pki.server.certFile],
      /needs its partner.*--tls-key/,
    ],
    [
      'a client CA without a certificate',
      ['--tls-ca', pki.ca.certFile],
      /--tls-ca configure the TLS listener, which needs --tls-cert/,
    ],
    [
      '--reserve without --tls-ca',
      [...serveFlags, '--reserve', 'alice'],
      /reserved names need client certificates.*--tls-ca/,
    ],
    ['--reserve-all without TLS', ['--reserve-all'], /reserved names need client certificates/],
    ['--no-plaintext without TLS', ['--no-plaintext'], /nothing to listen on/],
    [
      'an invalid reserved name',
      [...serveFlags, '--tls-ca', pki.ca.certFile, '--reserve', 'bad name'],
      /not a valid username/,
    ],
    [
      'an unreadable certificate file',
      ['--tls-cert', join(CWD, 'missing.pem'), '--tls-key', pki.server.keyFile],
      /--tls-cert: cannot read .*missing\.pem \(ENOENT\)/,
    ],
    [
      'a key of another certificate',
      ['--tls-cert', pki.server.certFile, '--tls-key', pki.alice.keyFile],
      /does not belong to the certificate/,
    ],
    [
      'a bad --handshake-timeout',
      [...serveFlags, '--handshake-timeout', 'soon'],
      /--handshake-timeout/,
    ],
  ];
  it.each(cases)('%s', async (_label, args, message) => {
    const tlsPort = args.includes('--tls-cert') ? ['--tls-port', '0'] : [];
    const r = await run(['serve', '--port', '0', ...tlsPort, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('a port in use is exit 2 naming the port and the flags', async () => {
    const { urls } = await serve(...serveFlags);
    const tlsPort = urls[1]!.split(':').pop()!;
    const r = await run(['serve', '--port', '0', '--tls-port', tlsPort, ...serveFlags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${tlsPort}: the port is in use`);
    expect(r.stderr).toContain('--tls-port');
  });
});
