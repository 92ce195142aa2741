// How the CLI reads a command line: global options anywhere before the command, and one
// clear line, with a suggestion, for what it cannot read.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { client, run, server } from './cli-harness.js';

const ANNOUNCER = fileURLToPath(new URL('../../examples/announcer.yaml', import.meta.url));

describe('global options before the command', () => {
  it('-c FILE before `schedule list` is read as the config file', async () => {
    const r = await run(['-c', ANNOUNCER, 'schedule', 'list', '-n', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/standup|lunch|launch-countdown|weekly-report/);
  });

  it('-v and --config=FILE before the command, on the fast path too', async () => {
    const s = await server();
    const watcher = await client(s.url, 'watcher');
    await watcher.createRoom('a');
    const r = await run(['-v', `--config=${ANNOUNCER}`, 'send', '-s', s.url, '-r', 'a', 'hi']);
    expect(r.code, r.stderr).toBe(0);
    // -v took effect: send logs its connection only when verbose.
    expect(r.stderr).toMatch(/DEBUG \[send\] connecting/);
  });
});

describe('what the CLI cannot read: one line, with a suggestion', () => {
  it('a mistyped command', async () => {
    const r = await run(['sendd', '-r', 'a', 'x']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe("mpcrp-bot: unknown command 'sendd' (did you mean 'send'?)");
    expect(lines).toHaveLength(2);
  });

  it('a mistyped flag', async () => {
    const r = await run(['send', '--crate', '-r', 'a', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'mpcrp-bot: unknown option --crate (did you mean --create?)',
      'Run mpcrp-bot send --help for usage.',
    ]);
  });

  it('a dashed flag is named once, as typed', async () => {
    const r = await run(['send', '--server-url', 'x', '-r', 'a', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --server-url (did you mean --server?)');
    expect(r.stderr).not.toMatch(/serverUrl/);
  });

  it('a stray positional', async () => {
    const r = await run(['users', '-r', 'a', 'extra']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toBe("mpcrp-bot: unexpected argument 'extra'");
  });

  for (const command of ['config', 'schedule']) {
    it(`\`${command}\` without an action says what it takes, once`, async () => {
      const r = await run([command]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(`^mpcrp-bot: missing argument: mpcrp-bot ${command} <action>`),
      );
    });
  }
});

describe('--help', () => {
  it('ends with the path of the installed docs, which exist', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    const docs = /Docs: (\/\S+cli\.md)/.exec(r.stdout)?.[1];
    expect(docs, r.stdout).toBeDefined();
    expect(existsSync(docs!)).toBe(true);
  });
});
