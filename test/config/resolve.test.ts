// biome-ignore-all lint/suspicious/noTemplateCurlyInString: a config file written by the test uses ${VAR}
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findConfigFile } from '../../src/config/find.js';
import { loadSettings } from '../../src/config/load.js';
import { parseConfig } from '../../src/config/parse.js';
import { DEFAULTS, resolveSettings } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_URL } from '../../src/protocol/url.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mpcrp-config-'));
}

const fileConfig = parseConfig(
  [
    'server: { url: "mpcrp://file.example:1000", cert: ./c.pem, key: ./k.pem }',
    'user: fileuser',
    'rooms: [a, b]',
    'prefix: "?"',
    'presence: { interval: 5s }',
    'outbox: { rate: 1 }',
    'log: { level: warn, format: json }',
  ].join('\n'),
  { file: writeTlsFiles() },
);

function writeTlsFiles(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.pem'), 'cert');
  writeFileSync(join(dir, 'k.pem'), 'key');
  return join(dir, 'mpcrp-bot.yaml');
}

describe('resolveSettings', () => {
  it('uses the defaults with nothing given', () => {
    expect(resolveSettings({ env: {} })).toEqual({
      server: DEFAULT_URL,
      serverSource: 'default',
      rooms: [],
      prefix: '!',
      presenceInterval: 2000,
      outbox: { rate: 5, burst: 10, limit: 1000 },
      log: { level: 'info', format: 'pretty' },
      tls: { insecure: false },
      bots: [],
      announcements: [],
      serve: {},
    });
    expect(DEFAULTS.server).toBe('mpcrp://127.0.0.1:8890');
  });

  it('takes the file over the defaults', () => {
    const s = resolveSettings({ env: {}, config: fileConfig });
    expect(s).toMatchObject({
      server: 'mpcrp://file.example:1000',
      serverSource: 'config',
      user: 'fileuser',
      userSource: 'config',
      rooms: ['a', 'b'],
      prefix: '?',
      presenceInterval: 5000,
      outbox: { rate: 1, burst: 10, limit: 1000 },
      log: { level: 'warn', format: 'json' },
      configFile: fileConfig.file,
    });
    expect(s.tls).toEqual({
      cert: join(dirname(fileConfig.file), 'c.pem'),
      key: join(dirname(fileConfig.file), 'k.pem'),
      insecure: false,
    });
  });

  it('takes the environment over the file', () => {
    const env = { MPCRP_URL: 'env.example:2000', MPCRP_USER: 'envuser', MPCRP_LOG_LEVEL: 'debug' };
    expect(resolveSettings({ env, config: fileConfig })).toMatchObject({
      server: 'mpcrp://env.example:2000',
      serverSource: 'env',
      user: 'envuser',
      userSource: 'env',
      log: { level: 'debug', format: 'json' },
    });
  });

  it('takes flags over the environment', () => {
    const env = { MPCRP_URL: 'env.example:2000', MPCRP_USER: 'envuser', MPCRP_LOG_LEVEL: 'debug' };
    const s = resolveSettings({
      env,
      config: fileConfig,
      flags: {
        server: 'mpcrps://flag.example',
        user: 'flaguser',
        rooms: ['z'],
        prefix: '.',
        logLevel: 'error',
        cert: '/flag/c.pem',
        insecure: true,
      },
    });
    expect(s).toMatchObject({
      server: 'mpcrps://flag.example:8890',
      serverSource: 'flag',
      user: 'flaguser',
      userSource: 'flag',
      rooms: ['z'],
      prefix: '.',
      log: { level: 'error' },
    });
    expect(s.tls).toMatchObject({ cert: '/flag/c.pem', insecure: true });
  });

  it('maps -v and -q to log levels, below an explicit level', () => {
    expect(resolveSettings({ env: {}, flags: { verbose: 1 } }).log.level).toBe('debug');
    expect(resolveSettings({ env: {}, flags: { quiet: true } }).log.level).toBe('error');
    expect(
      resolveSettings({ env: { MPCRP_LOG_LEVEL: 'warn' }, flags: { verbose: true } }).log.level,
    ).toBe('debug');
    expect(resolveSettings({ env: {}, flags: { verbose: 2, logLevel: 'info' } }).log.level).toBe(
      'info',
    );
  });

  it('ignores empty variables', () => {
    const s = resolveSettings({ env: { MPCRP_URL: '', MPCRP_USER: '' } });
    expect(s.serverSource).toBe('default');
    expect(s.user).toBeUndefined();
  });

  it('refuses empty flags, as the file refuses prefix: "" (one rule for values given on purpose)', () => {
    expect(() =>
      resolveSettings({ flags: { server: '', user: '', prefix: '', config: '' } }),
    ).toThrow(
      expect.objectContaining({
        issues: [
          '--server is empty (expected a server URL such as mpcrp://127.0.0.1:8890; leave the flag out for the default)',
          '--user is empty (expected a username of 1-20 characters; leave the flag out for the default)',
          "--prefix is empty (expected a non-empty command prefix such as '!'; leave the flag out for the default)",
          '--config is empty (expected a config file path; leave the flag out for the default)',
        ],
      }),
    );
    expect(() => resolveSettings({ flags: { prefix: 'a b' } })).toThrow(
      /--prefix "a b" has white space/,
    );
    expect(resolveSettings({ flags: { prefix: '?' } }).prefix).toBe('?');
  });

  it('names the flag or variable holding a bad value, all at once', () => {
    let error: unknown;
    try {
      resolveSettings({
        env: { MPCRP_USER: 'has space', MPCRP_LOG_LEVEL: 'loud' },
        flags: { server: 'http://x' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      '--server: invalid server URL "http://x": unknown scheme \'http\' (expected mpcrp://host:port or mpcrps://host:port)',
      'MPCRP_USER: invalid username "has space": it contains white space or a control character',
      "MPCRP_LOG_LEVEL: 'loud' is not a log level (expected one of debug, info, warn, error, silent)",
    ]);
  });
});

describe('findConfigFile', () => {
  it('prefers -c, then MPCRP_CONFIG, then ./mpcrp-bot.yaml', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), '');
    writeFileSync(join(dir, 'a.yaml'), '');
    writeFileSync(join(dir, 'b.yaml'), '');
    expect(findConfigFile({ cwd: dir, env: {}, flag: 'a.yaml' })).toEqual({
      path: join(dir, 'a.yaml'),
      source: 'flag',
    });
    expect(findConfigFile({ cwd: dir, env: { MPCRP_CONFIG: 'b.yaml' } })).toEqual({
      path: join(dir, 'b.yaml'),
      source: 'env',
    });
    expect(findConfigFile({ cwd: dir, env: {} })).toEqual({
      path: join(dir, 'mpcrp-bot.yaml'),
      source: 'cwd',
    });
  });

  it('returns undefined when there is no file, and fails for a named missing one', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'mpcrp-bot.yaml')); // a directory is not a config file
    expect(findConfigFile({ cwd: dir, env: {} })).toBeUndefined();
    expect(() => findConfigFile({ cwd: dir, env: {}, flag: 'nope.yaml' })).toThrow(
      `--config: config file ${join(dir, 'nope.yaml')} does not exist`,
    );
    expect(() => findConfigFile({ cwd: dir, env: { MPCRP_CONFIG: 'gone.yaml' } })).toThrow(
      /^MPCRP_CONFIG: config file .*gone\.yaml does not exist/,
    );
  });
});

describe('loadSettings', () => {
  it('finds, reads and resolves in one call, bots relative to the file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'conf'));
    mkdirSync(join(dir, 'bots'));
    writeFileSync(join(dir, 'bots', 'echo.ts'), 'export default {};');
    writeFileSync(join(dir, 'conf', 'team.yaml'), 'user: ${ME}\nbots: [../bots/echo.ts]\n');
    const { settings, config } = await loadSettings({
      env: { MPCRP_CONFIG: 'conf/team.yaml', ME: 'robo' },
      cwd: dir,
    });
    expect(config?.file).toBe(join(dir, 'conf', 'team.yaml'));
    expect(settings.user).toBe('robo');
    expect(settings.bots.map((b) => b.path)).toEqual([join(dir, 'bots', 'echo.ts')]);
  });

  it('runs on defaults without a file', async () => {
    const { settings, config } = await loadSettings({ env: {}, cwd: tempDir() });
    expect(config).toBeUndefined();
    expect(settings.server).toBe(DEFAULT_URL);
  });
});

describe('start-up cost', () => {
  // CLI commands call findConfigFile/loadSettings on every run; the YAML parser may only be
  // loaded (dynamically) once a file exists. Walk the static import graph to prove it.
  it('no static import path from load.ts reaches yaml or croner', () => {
    const root = fileURLToPath(new URL('../../src/', import.meta.url));
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else bare.add(spec);
      }
    };
    visit(join(root, 'config', 'load.ts'));
    expect(seen.size).toBeGreaterThan(3);
    expect([...bare].filter((s) => !s.startsWith('node:'))).toEqual([]);
  });
});
