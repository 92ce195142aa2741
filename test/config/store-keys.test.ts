import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/errors.js';

const file = fileURLToPath(new URL('./fixtures/inline.yaml', import.meta.url));
const parse = (text: string) => parseConfig(text, { file, displayName: 'c.yaml', env: {} });
function issuesOf(text: string): string[] {
  try {
    parse(text);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
}

describe('config: data, store, roles, refusal', () => {
  it('resolves data: against the config file and hands everything to the settings', () => {
    const config = parse(
      'data: ../state\nstore: redis://127.0.0.1:6380\nroles:\n  ops: [alice, bob]\n  admins: [alice]\nrefusal: false\n',
    );
    expect(config.data).toBe(join(dirname(dirname(file)), 'state'));
    const settings = resolveSettings({ env: {}, config });
    expect(settings).toMatchObject({
      data: config.data,
      store: 'redis://127.0.0.1:6380',
      roles: { ops: ['alice', 'bob'], admins: ['alice'] },
      refusal: false,
    });
    expect(parse('refusal: nope, {user}\n').refusal).toBe('nope, {user}');
  });

  it('says what is wrong with each', () => {
    expect(issuesOf('store: mysql://x\n')).toEqual([
      `c.yaml:1:8: store is "mysql://x", not a store URL (expected redis://HOST:PORT, rediss://HOST:PORT, 'local' or 'memory')`,
    ]);
    expect(issuesOf('roles: [alice]\n')[0]).toMatch(
      /^c\.yaml:1:8: roles is a list \(expected a mapping of role names to lists of usernames/,
    );
    expect(issuesOf('roles:\n  ops: [has space]\n')[0]).toMatch(
      /^c\.yaml:2:9: roles\.ops\[0\] is a string \("has space"\) \(expected a username/,
    );
    expect(issuesOf('refusal: 3\n')[0]).toMatch(
      /^c\.yaml:1:10: refusal is a number \(3\) \(expected what a refused user is told .*, or false\)/,
    );
  });
});
