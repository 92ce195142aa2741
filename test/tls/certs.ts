/**
 * Throwaway certificates for the TLS tests, made with the openssl command at test time so
 * no private key is ever committed. EC P-256 keys keep it fast (a few ms per certificate).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as PEM text and as the files holding them. */
export interface CertPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  dir: string;
  /** The CA every test trusts. */
  ca: CertPair;
  /** Server certificate for 127.0.0.1 and localhost (SAN IP and DNS), from `ca`. */
  server: CertPair;
  /** Client certificate CN=alice, from `ca`. */
  alice: CertPair;
  /** Client certificate CN=bob, from `ca`. */
  bob: CertPair;
  /** Client certificate CN=some-device with DNS SAN `carol`, from `ca`. */
  carolBySan: CertPair;
  /** Client certificate CN=alice from another CA, which the server does not trust. */
  rogueAlice: CertPair;
  /** Server certificate for 127.0.0.1 from the other CA. */
  rogueServer: CertPair;
  /** Server certificate from `ca` for chat.example.org only, so 127.0.0.1 does not match. */
  wrongHost: CertPair;
  /** Deletes the directory. */
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

function pair(dir: string, name: string): CertPair {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
  };
}

function makeCa(dir: string, name: string, cn: string): CertPair {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
    '-subj',
    `/CN=${cn}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair(dir, name);
}

/** A leaf signed by `ca`: a CSR, then `x509 -req` with the extensions from a file. */
function makeLeaf(dir: string, ca: CertPair, name: string, cn: string, ext: string[]): CertPair {
  openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  writeFileSync(join(dir, `${name}.ext`), `${['basicConstraints=CA:FALSE', ...ext].join('\n')}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
  return pair(dir, name);
}

const CLIENT = ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
const SERVER = [
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
];

/**
 * Creates a CA, a server certificate and client certificates in a new temp directory.
 *
 * @example
 * const pki = createTestPki();
 * afterAll(() => pki.remove());
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mpcrp-tls-test-'));
  const ca = makeCa(dir, 'ca', 'mpcrp test CA');
  const rogueCa = makeCa(dir, 'rogue-ca', 'mpcrp rogue CA');
  return {
    dir,
    ca,
    server: makeLeaf(dir, ca, 'server', 'localhost', SERVER),
    alice: makeLeaf(dir, ca, 'alice', 'alice', CLIENT),
    bob: makeLeaf(dir, ca, 'bob', 'bob', CLIENT),
    carolBySan: makeLeaf(dir, ca, 'carol', 'some-device', [...CLIENT, 'subjectAltName=DNS:carol']),
    rogueAlice: makeLeaf(dir, rogueCa, 'rogue-alice', 'alice', CLIENT),
    rogueServer: makeLeaf(dir, rogueCa, 'rogue-server', 'localhost', SERVER),
    wrongHost: makeLeaf(dir, ca, 'wrong-host', 'chat.example.org', [
      ...SERVER.slice(0, 2),
      'subjectAltName=DNS:chat.example.org',
    ]),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
