// The config file's TLS keys for `serve`: reservedNames as a list or 'all', tls.port,
// tls.handshakeTimeout and plaintext; each mistake reported where it is.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { ConfigError } from '../../src/errors.js';
import { pki } from './harness.js';

function serveOf(yaml: string) {
  return parseConfig(yaml, { file: `${pki.dir}/c.yaml`, displayName: 'c.yaml', env: {} }).serve;
}

function issuesOf(yaml: string): readonly string[] {
  try {
    serveOf(yaml);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
}

describe('serve: TLS settings in the config file', () => {
  it('reads reservedNames as a list or as all', () => {
    expect(serveOf('serve:\n  reservedNames: [alice, bob]\n')?.reservedNames).toEqual([
      'alice',
      'bob',
    ]);
    expect(serveOf('serve:\n  reservedNames: all\n')?.reservedNames).toBe('all');
    // A user literally named "all" is a list entry, not the keyword.
    expect(serveOf('serve:\n  reservedNames: [all]\n')?.reservedNames).toEqual(['all']);
  });

  it('reports a bare name, a mapping and an invalid username where they are', () => {
    expect(issuesOf('serve:\n  reservedNames: alice\n')).toEqual([
      `c.yaml:2:18: serve.reservedNames is a string ("alice") (expected a list of usernames such as [alice], or 'all')`,
    ]);
    expect(issuesOf('serve:\n  reservedNames: {alice: 1}\n')[0]).toMatch(
      /serve\.reservedNames is a mapping \(expected a list of usernames such as \[alice\], or 'all'\)/,
    );
    expect(issuesOf('serve:\n  reservedNames: [ok, "no way"]\n')[0]).toMatch(
      /2:23: serve\.reservedNames\[1\] is a string \("no way"\) \(expected a username/,
    );
  });

  it('reads tls files, port and handshake timeout, and plaintext', () => {
    const serve = serveOf(
      [
        'serve:',
        '  plaintext: false',
        '  tls:',
        `    cert: ${pki.server.certFile}`,
        `    key: ${pki.server.keyFile}`,
        '    port: 9443',
        '    handshakeTimeout: 3s',
        '',
      ].join('\n'),
    );
    expect(serve).toEqual({
      plaintext: false,
      tls: {
        cert: pki.server.certFile,
        key: pki.server.keyFile,
        port: 9443,
        handshakeTimeout: 3000,
      },
    });
    expect(issuesOf('serve:\n  tls:\n    port: 70000\n')[0]).toMatch(/serve\.tls\.port is 70000/);
    expect(issuesOf('serve:\n  plaintext: nope\n')[0]).toMatch(/serve\.plaintext/);
  });
});

describe('serve: server limits in the config file', () => {
  it('reads every limit the server has, durations in milliseconds', () => {
    const serve = serveOf(
      [
        'serve:',
        '  writeTimeout: 5s',
        '  maxFramesBeforeRegistration: 8',
        '  maxConnections: 100',
        '  maxConnectionsPerIp: 4',
        "  perIpExempt: [loopback, '10.0.0.5']",
        '  frameRate: 50',
        '  frameBurst: 60',
        '  throttleTimeout: 20s',
        '  maxRoomMembers: 50',
        '  maxRoomsPerUser: 10',
        '  maxRooms: 1000',
        '  closeTimeout: 1s',
        '',
      ].join('\n'),
    );
    expect(serve).toEqual({
      writeTimeout: 5000,
      maxFramesBeforeRegistration: 8,
      maxConnections: 100,
      maxConnectionsPerIp: 4,
      perIpExempt: ['loopback', '10.0.0.5'],
      frameRate: 50,
      frameBurst: 60,
      throttleTimeout: 20_000,
      maxRoomMembers: 50,
      maxRoomsPerUser: 10,
      maxRooms: 1000,
      closeTimeout: 1000,
    });
    expect(issuesOf('serve:\n  maxConnections: 0\n')[0]).toMatch(/serve\.maxConnections is 0/);
  });
});
