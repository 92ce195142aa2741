// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${VAR} syntax
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/load.js';
import { parseConfig } from '../../src/config/parse.js';
import { ConfigError } from '../../src/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const hello = fixture('bots/hello.ts');

/** Parses inline YAML as if it were fixtures/inline.yaml; returns the issues (or []). */
function issuesOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, { file: fixture('inline.yaml'), displayName: 'c.yaml', env });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
}

describe('parseConfig: a valid file', () => {
  it('reads every section, applies per-entry defaults and resolves paths', async () => {
    const config = await readConfig(fixture('valid.yaml'), {
      env: { API_TOKEN: 't0k', PORT: '7000' },
    });
    expect(config.file).toBe(fixture('valid.yaml'));
    expect(config.server).toEqual({
      url: 'mpcrps://chat.example:9000',
      ca: hello,
      insecure: false,
    });
    expect(config.user).toBe('helper');
    expect(config.rooms).toEqual(['team', 'ops']);
    expect(config.prefix).toBe('?');
    expect(config.presence).toEqual({ interval: 500 });
    expect(config.outbox).toEqual({ rate: 2, burst: 4, limit: 50 });
    expect(config.log).toEqual({ level: 'debug', format: 'json' });
    expect(config.bots).toEqual([
      { path: hello, options: {}, enabled: true, disable: [] },
      {
        path: hello,
        enabled: false,
        options: { token: 't0k', sides: 20 },
        enable: ['team'],
        disable: ['ops'],
      },
    ]);
    expect(config.serve).toEqual({
      host: '0.0.0.0',
      port: 7000,
      maxPayload: 65536,
      maxOutputBytes: 1048576,
      registrationTimeout: 10_000,
      extensions: ['sender', 'presence', 'rooms'],
      reservedNames: ['admin', 'root'],
    });
    expect(config.announcements).toEqual([
      {
        name: 'standup',
        cron: '55 9 * * 1-5',
        timezone: 'Europe/Berlin',
        rooms: ['team', 'ops'],
        text: 'Standup in 5 minutes ({date})',
        enabled: true,
        maxDelay: 600_000,
      },
      {
        name: 'dice',
        cron: '0 0 12 * * *',
        rooms: ['team'],
        command: '!roll 1d6',
        enabled: false,
        startAt: new Date(2026, 2, 1, 9, 0),
        stopAt: new Date('2026-04-01T00:00:00Z'),
        maxRuns: 3,
        maxDelay: 60_000,
      },
    ]);
    // Values from the environment only: `helper` is the file's own default for BOT_USER.
    expect([...config.secretValues].sort()).toEqual(['7000', 't0k']);
  });

  it('treats an empty file as an empty config', () => {
    const config = parseConfig('# nothing yet\n', { file: fixture('empty.yaml') });
    expect(config.bots).toEqual([]);
    expect(config.announcements).toEqual([]);
    expect(config.server).toBeUndefined();
  });

  it('accepts server as a bare URL and reads wall-clock dates in the announcement zone', () => {
    const config = parseConfig(
      [
        'server: chat.example:9000',
        'announcements:',
        '  - name: a',
        '    cron: "0 9 * * *"',
        '    timezone: Europe/Berlin',
        '    rooms: [r]',
        '    text: hi',
        '    startAt: 2026-07-01 09:00',
      ].join('\n'),
      { file: fixture('inline.yaml') },
    );
    expect(config.server).toEqual({ url: 'chat.example:9000' });
    expect(config.announcements[0]!.startAt).toEqual(new Date('2026-07-01T07:00:00Z'));
  });
});

describe('parseConfig: errors', () => {
  it('reports every problem in a broken file at once, each with line and column', async () => {
    const error = await readConfig(fixture('broken.yaml'), { cwd: fixture('..') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      "fixtures/broken.yaml:1:9: server.url is not a valid server URL: unknown scheme 'http' (expected mpcrp://host:port or mpcrps://host:port)",
      "fixtures/broken.yaml:2:1: unknown key 'romos', did you mean 'rooms'? (expected one of: server, user, rooms, bots, prefix, presence, outbox, log, serve, http, announcements, data, store, roles, refusal)",
      'fixtures/broken.yaml:3:7: user is a number (42) (expected a username of 1-20 characters without spaces; quote it)',
      'fixtures/broken.yaml:5:9: outbox.rate is a string ("fast") (expected messages per second, a number > 0)',
      `fixtures/broken.yaml:8:11: bots[1].path names ${fixture('bots/missing.ts')}, which does not exist (expected a bot file relative to the config file, or an installed npm package name)`,
      "fixtures/broken.yaml:11:11: announcements[0].cron '61 9 * * *' is not a valid cron expression: Invalid value for minute: 61 (expected a cron expression of 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. '55 9 * * 1-5')",
      'fixtures/broken.yaml:13:18: announcements[0].text: environment variable SECRET_TOKEN is not set (expected set SECRET_TOKEN, or give a default: ${SECRET_TOKEN:-value})',
    ]);
    expect((error as ConfigError).message).toBe((error as ConfigError).issues.join('\n'));
  });

  it('names YAML syntax errors with their position', () => {
    // Inline, not a fixture file: the repository's linter parses *.yaml too.
    const issues = issuesOf('rooms: [team\nuser: bob\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^c\.yaml:2:1: .*\(expected valid YAML\)$/);
  });

  it('suggests the nearest key inside sections too', () => {
    expect(issuesOf('log:\n  levle: debug\n')).toEqual([
      "c.yaml:2:3: unknown key 'log.levle', did you mean 'level'? (expected one of: level, format)",
    ]);
    expect(issuesOf('announcments: []\n')[0]).toMatch(
      /^c\.yaml:1:1: unknown key 'announcments', did you mean 'announcements'\?/,
    );
    // Nothing close: no guess.
    expect(issuesOf('colour: red\n')[0]).toMatch(/^c\.yaml:1:1: unknown key 'colour' \(expected/);
  });

  it('checks types, enums, ranges and lists', () => {
    expect(
      issuesOf(
        [
          'rooms: team',
          'log: { level: loud, format: xml }',
          'serve:',
          '  port: 70000',
          '  extensions: [sender, colors]',
          '  registrationTimeout: soon',
          'presence: { interval: -5 }',
          'bots: [{ path: ./bots/hello.ts, options: [1] }]',
        ].join('\n'),
      ),
    ).toEqual([
      'c.yaml:1:8: rooms is a string ("team") (expected a list of room IDs)',
      "c.yaml:2:15: log.level is a string (\"loud\") (expected one of 'debug', 'info', 'warn', 'error', 'silent')",
      "c.yaml:2:29: log.format is a string (\"xml\") (expected one of 'pretty', 'json')",
      'c.yaml:4:9: serve.port is 70000 (expected an integer from 0 to 65535)',
      "c.yaml:5:24: serve.extensions[1] is a string (\"colors\") (expected one of 'sender', 'presence', 'rooms')",
      "c.yaml:6:24: serve.registrationTimeout is a string (\"soon\") (expected milliseconds as a number, or a number followed by ms, s, m or h, e.g. '500ms', '2s', '10m', '1h')",
      "c.yaml:7:23: presence.interval is -5 (expected milliseconds as a number, or a number followed by ms, s, m or h, e.g. '500ms', '2s', '10m', '1h')",
      'c.yaml:8:42: bots[0].options is a list (expected a mapping handed to the bot)',
    ]);
  });

  it('checks announcements: required keys, text xor command, placeholders, zone, dates', () => {
    const issues = issuesOf(
      [
        'announcements:',
        '  - name: a',
        '    rooms: [r]',
        '    text: hi',
        '  - name: b',
        '    cron: "* * * * *"',
        '    rooms: [r]',
        '    text: hi',
        '    command: "!x"',
        '  - name: c',
        '    cron: "* * * * *"',
        '    rooms: [r]',
        '    text: "at {when}"',
        '    timezone: Mars/Base',
        '  - name: d',
        '    cron: "* * * * *"',
        '    rooms: [r]',
        '    text: ok',
        '    startAt: 2026-05-01',
        '    stopAt: 2026-04-01',
        '    maxRuns: 0',
        '  - name: b',
        '    cron: "* * * * *"',
        '    rooms: [r]',
        '    command: "!y"',
      ].join('\n'),
    );
    expect(issues).toEqual([
      "c.yaml:2:5: announcements[0] is missing the key 'cron' (expected a cron expression of 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. '55 9 * * 1-5' under 'cron')",
      'c.yaml:9:5: announcements[1] has both text and command (expected exactly one of them)',
      'c.yaml:13:11: announcements[2].text uses the unknown placeholder {when} (expected text with placeholders {date}, {time}, {name}, {run}, {room} only; write {{ and }} for literal braces)',
      "c.yaml:14:15: announcements[2].timezone 'Mars/Base' is not a known time zone (expected an IANA time zone such as 'Europe/Berlin' or 'UTC')",
      'c.yaml:21:14: announcements[3].maxRuns is 0 (expected an integer ≥ 1)',
      'c.yaml:22:5: announcements[4] has the name "b" of announcements[1] (expected a unique name)',
    ]);
    // Cross-field rules run once the fields themselves are valid.
    expect(
      issuesOf(
        [
          'announcements:',
          '  - { name: d, cron: "* * * * *", rooms: [r], text: ok, startAt: 2026-05-01, stopAt: 2026-04-01 }',
          '  - { name: d, cron: "* * * * *", rooms: [r], text: ok }',
        ].join('\n'),
      ),
    ).toEqual([
      'c.yaml:2:78: announcements[0].stopAt is not after startAt (expected a stopAt later than startAt)',
      'c.yaml:3:5: announcements[1] has the name "d" of announcements[0] (expected a unique name)',
    ]);
    expect(
      issuesOf(
        [
          'announcements:',
          '  - { name: d, cron: "* * * * *", rooms: [r], text: ok }',
          '  - { name: e, cron: "* * * * *", rooms: [r], text: ok }',
          '  - { name: d, cron: "* * * * *", rooms: [r], text: ok }',
        ].join('\n'),
      ),
    ).toEqual([
      'c.yaml:4:5: announcements[2] has the name "d" of announcements[0] (expected a unique name)',
    ]);
  });

  it('suggests the nearest value of a fixed set, and flags unknown keys left empty', () => {
    expect(issuesOf('log: { format: jsno }\nromos:\n')).toEqual([
      "c.yaml:1:16: log.format is a string (\"jsno\"), did you mean 'json'? (expected one of 'pretty', 'json')",
      "c.yaml:2:1: unknown key 'romos', did you mean 'rooms'? (expected one of: server, user, rooms, bots, prefix, presence, outbox, log, serve, http, announcements, data, store, roles, refusal)",
    ]);
  });

  it('checks the mapping form of a key that also takes a scalar (server, bots, http)', () => {
    expect(issuesOf('server: { url: 3, tsl: x }\nbots: [{ options: {} }, 5]\n')).toEqual([
      'c.yaml:1:16: server.url is a number (3) (expected mpcrp://host:port or mpcrps://host:port; quote it)',
      "c.yaml:1:19: unknown key 'server.tsl' (expected one of: url, ca, cert, key, insecure)",
      "c.yaml:2:8: bots[0] is missing the key 'path' (expected a bot file relative to the config file, or an installed npm package name under 'path')",
      'c.yaml:2:25: bots[1] is a number (5) (expected a bot file relative to the config file, or an installed npm package name, or a mapping with keys path, options, enabled, enable, disable)',
    ]);
  });

  it('checks a value read from the environment as the type the key wants', () => {
    const serve = 'serve: { port: "${PORT}", plaintext: "${PLAIN}" }\n';
    expect(issuesOf(serve, { PORT: 'abc', PLAIN: 'yes' })).toEqual([
      'c.yaml:1:16: serve.port is a string ("abc") (expected an integer from 0 to 65535)',
      'c.yaml:1:38: serve.plaintext is a string ("yes") (expected true or false)',
    ]);
    expect(issuesOf(serve, { PORT: '70000', PLAIN: 'true' })).toEqual([
      'c.yaml:1:16: serve.port is 70000 (expected an integer from 0 to 65535)',
    ]);
    const config = parseConfig(serve, {
      file: fixture('inline.yaml'),
      env: { PORT: '7000', PLAIN: 'false' },
    });
    expect(config.serve).toEqual({ port: 7000, plaintext: false });
  });

  it('reports each unset variable at its ${', () => {
    expect(
      issuesOf('user: ${BOT_USER}\nserver:\n  url: "mpcrp://${HOST}:${PORT:-8890}"\n', {}),
    ).toEqual([
      'c.yaml:1:7: user: environment variable BOT_USER is not set (expected set BOT_USER, or give a default: ${BOT_USER:-value})',
      'c.yaml:3:17: server.url: environment variable HOST is not set (expected set HOST, or give a default: ${HOST:-value})',
    ]);
  });

  it('duplicate keys are an error', () => {
    expect(issuesOf('user: a\nuser: b\n')[0]).toMatch(/^c\.yaml:2:1: Map keys must be unique/);
  });

  it('a top-level list is an error', () => {
    expect(issuesOf('- a\n- b\n')).toEqual([
      'c.yaml:1:1: the file is a list (expected a mapping with keys server, user, rooms, bots, prefix, presence, outbox, log, serve, http, announcements, data, store, roles, refusal)',
    ]);
  });
});

describe('fixtures', () => {
  it('broken.yaml really has the problems the test names (guards against fixture drift)', () => {
    expect(readFileSync(fixture('broken.yaml'), 'utf8')).toContain('romos');
  });
});
