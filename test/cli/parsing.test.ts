// The shared parser layer (main.ts, argv.ts, options.ts): each case was a real run that
// misbehaved in 0.1.0 (issue #15), now one clear line and the documented exit code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, run, server, start } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ANNOUNCER = `${ROOT}examples/announcer.yaml`;
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('option values: one line, the value as typed', () => {
  it.each([
    [['listen', '-C', 'abc', '-r', 'a'], '-C/--count takes a number, got "abc"'],
    [['serve', '-p', 'abc'], '-p/--port takes a number, got "abc"'],
    [['serve', '-p', ''], '-p/--port was given an empty value'],
    [['send', '-s', '', '-r', 'a', 'hi'], '-s/--server was given an empty value'],
    [['send', '-u', '', '-r', 'a', 'hi'], '-u/--user was given an empty value'],
    [['run', '--prefix', '', 'bots/echo.ts'], '--prefix was given an empty value'],
    [['users', '-r', 'a', '-r', 'b'], '-r/--room takes one value, but was given 2 ("a", "b")'],
  ])('%j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('NaN');
  });
});

describe('run', () => {
  it('runs an announcement-only config (no bots) and stops cleanly', async () => {
    const p = start(['run', '-c', ANNOUNCER, '--embedded', '-p', '0']);
    await p.waitForStderr(/created room room=ops|joined room room=ops/);
    p.child.kill('SIGTERM');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/no bot to run/);
  });

  it('refuses a bad --prefix before starting the embedded server', async () => {
    const r = await run(['run', '--embedded', '-p', '0', '--prefix', 'a b', `${ROOT}bots/echo.ts`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--prefix "a b" has white space/);
    expect(r.stderr).not.toMatch(/listening|embedded server/);
  });
});

describe('-W and other durations: a bare number is seconds', () => {
  it('listen -W 1 waits about a second, not a millisecond', async () => {
    const s = await server();
    const t0 = Date.now();
    const r = await run(['listen', '-s', s.url, '-r', 'w', '--create', '-W', '1', '-q']);
    expect(r.code).toBe(124);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('a bad duration names the flag and the rule', async () => {
    const r = await run(['listen', '-r', 'a', '-W', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"soon" is not a duration \(expected seconds as a bare number/);
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh', 'fish'])(
    'completion %s prints a script that asks the CLI',
    async (sh) => {
      const r = await run(['completion', sh]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('mpcrp-bot --get-yargs-completions');
    },
  );

  it('--help prints help, not a script; an unknown shell is one line and exit 2', async () => {
    const help = await run(['completion', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^mpcrp-bot completion bash\|zsh\|fish/);
    expect(help.stdout).not.toContain('_mpcrp_bot_complete');
    const bad = await run(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toHaveLength(1);
  });

  it('the bash script completes command names in a real bash', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = (await run(['completion', 'bash'])).stdout;
    const bin = BIN;
    const out = spawnSync(
      'bash',
      [
        '-c',
        `mpcrp-bot() { node ${JSON.stringify(bin)} "$@"; }\n${script}\nCOMP_WORDS=(mpcrp-bot se); COMP_CWORD=1; _mpcrp_bot_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.stdout.split('\n')).toEqual(expect.arrayContaining(['send', 'serve']));
  });
});

describe('ping', () => {
  it('times round trips and exits 0; --json has the figures', async () => {
    const s = await server();
    const r = await run(['ping', '-s', s.url, '-n', '2']);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^mpcrp:\/\/127\.0\.0\.1:\d+: seq=1 time=\d+\.\d{3} ms$/);
    expect(out[2]).toMatch(/2 round trip\(s\), min\/avg\/max/);
    const json = await run(['ping', '-s', s.url, '--json', '-n', '3']);
    expect(JSON.parse(json.stdout).rttMs).toHaveLength(3);
  });
});

describe('--version', () => {
  it('prints the package version alone, as yargs does when other flags come with it', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const fast = await run(['--version']);
    const parsed = await run(['--version', '-q']); // not the one-flag shortcut: yargs answers
    expect(fast).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(parsed).toMatchObject({ code: 0, stdout: fast.stdout, stderr: '' });
  });
});

describe('minor items', () => {
  it('serve --host nonexistent.invalid: exit 2, one line', async () => {
    const r = await run(['serve', '--host', 'nonexistent.invalid', '-p', '0']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/no such host name.*--host/)]);
  });

  it('mpcrp://127.0.0.1:99999 says the port is out of range', async () => {
    const r = await run(['send', '-s', 'mpcrp://127.0.0.1:99999', '-r', 'a', 'hi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('port 99999 is out of range');
  });

  it('users and room join do not suggest --create, which they do not take', async () => {
    const s = await server();
    for (const args of [
      ['users', '-r', 'nosuch'],
      ['room', 'join', 'nosuch'],
    ]) {
      const r = await run([...args, '-s', s.url]);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('mpcrp-bot room create nosuch');
      expect(r.stderr).not.toContain('--create');
    }
  });
});
