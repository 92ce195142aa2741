// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files written here use ${VAR}
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN as MAIN } from '../helpers/bin.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm run build` first; `npm test` does) and waits for it to exit. */
function cli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('MPCRP_')),
    );
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...clean, ...env },
      cwd: cwd ?? fixture('.'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mpcrp-bot config check (real process)', () => {
  it('prints the resolved configuration with secrets masked', async () => {
    const run = await cli(['config', 'check', 'valid.yaml'], {
      API_TOKEN: 'hunter2-token',
      PORT: '7000',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`# ${fixture('valid.yaml')}: valid\n`);
    expect(run.stdout).toContain('server: mpcrps://chat.example:9000\nserverSource: config\n');
    expect(run.stdout).not.toContain('hunter2-token');
    expect(run.stdout).toContain('token: "****"');
    expect(run.stdout).toContain('port: "****"');
    // ${BOT_USER:-helper} with BOT_USER unset: the default is in the file, so no secret.
    expect(run.stdout).toContain('user: helper\n');
    expect(run.stdout).toContain('registrationTimeout: 10s');
    // The standup announcement: next 3 fires, 09:55 Berlin time on weekdays.
    const standup = run.stdout.slice(run.stdout.indexOf('- name: standup'));
    const nextBlock = standup.slice(standup.indexOf('    next:\n'));
    const next = [...nextBlock.matchAll(/^ {6}- (\S+)$/gm)].slice(0, 3).map((m) => m[1]);
    expect(next).toHaveLength(3);
    for (const t of next) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T09:55:00\+0[12]:00$/);
    expect(run.stdout).toMatch(/- name: dice[\s\S]*enabled: false[\s\S]*next: \[\]/);
  });

  it('lets flags override the file in what it prints', async () => {
    const run = await cli(['config', 'check', 'valid.yaml', '-s', 'mpcrp://other:1'], {
      API_TOKEN: 't',
      PORT: '1',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('server: mpcrp://other:1\nserverSource: flag\n');
  });

  it('exits 2 with every located problem on stderr for a broken file', async () => {
    const run = await cli(['config', 'check', 'broken.yaml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines.slice(0, -1).map((l) => l.slice(0, l.indexOf(': ')))).toEqual([
      'broken.yaml:1:9',
      'broken.yaml:2:1',
      'broken.yaml:3:7',
      'broken.yaml:5:9',
      'broken.yaml:8:11',
      'broken.yaml:11:11',
      'broken.yaml:13:18',
    ]);
    expect(run.stderr).toContain("unknown key 'romos', did you mean 'rooms'?");
    expect(lines.at(-1)).toBe('mpcrp-bot: the configuration has 7 problems; nothing was started');
  });

  it('finds ./mpcrp-bot.yaml, and exits 2 when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-cli-'));
    const none = await cli(['config', 'check'], {}, dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no config file/);
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), 'prefix: "."\n');
    const found = await cli(['config', 'check'], {}, dir);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain('prefix: .\n');
  });
});

describe('mpcrp-bot schedule list (real process)', () => {
  it('prints the next N fires, soonest first, as tab-separated lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-cli-'));
    writeFileSync(
      join(dir, 'mpcrp-bot.yaml'),
      [
        'announcements:',
        '  - { name: hourly, cron: "0 * * * *", timezone: UTC, rooms: [a, b], text: "tick {run}" }',
        '  - { name: secret, cron: "30 * * * *", timezone: Asia/Kolkata, rooms: [c], text: "${MSG}" }',
        '  - { name: off, cron: "* * * * *", rooms: [c], text: x, enabled: false }',
      ].join('\n'),
    );
    const run = await cli(['schedule', 'list', '--next', '2'], { MSG: 'classified' }, dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => r[1] === 'hourly').map((r) => r.slice(2))).toEqual([
      ['a,b', 'tick {run}'],
      ['a,b', 'tick {run}'],
    ]);
    expect(rows.filter((r) => r[1] === 'secret').map((r) => r[3])).toEqual(['****', '****']);
    for (const [time, name] of rows) {
      expect(time).toMatch(name === 'hourly' ? /T\d\d:00:00(Z|\+00:00)$/ : /T\d\d:30:00\+05:30$/);
    }
    const times = rows.map((r) => Date.parse(r[0]!));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});

describe('what a new user hits (issue 15)', () => {
  const announcer = fileURLToPath(new URL('../../examples/announcer.yaml', import.meta.url));
  const team = fileURLToPath(new URL('../../examples/team.yaml', import.meta.url));

  it('schedule list refuses a --next that is not a whole number', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999']) {
      const run = await cli(['schedule', 'list', announcer, '-n', bad]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `schedule list: -n/--next must be a whole number of fire times from 0 to 10000, got "${bad}"`,
      );
    }
    const check = await cli(['config', 'check', announcer, '--next', 'abc']);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('config check: -n/--next must be a whole number');
  });

  it('schedule list takes FILE, as its hint says', async () => {
    const run = await cli(['schedule', 'list', announcer, '-n', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[1]),
    ).toEqual(expect.arrayContaining(['standup', 'lunch', 'weekly-report']));
  });

  it('warns about a cron that never fires, in config check and schedule list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-cli-'));
    writeFileSync(
      join(dir, 'mpcrp-bot.yaml'),
      'announcements:\n  - { name: never, cron: "0 0 31 2 *", rooms: [a], text: x }\n',
    );
    for (const args of [
      ['config', 'check'],
      ['schedule', 'list'],
    ]) {
      const run = await cli(args, {}, dir);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        "announcement 'never': '0 0 31 2 *' matches no date that exists, so it never fires",
      );
    }
  });

  it('config check prints serve: as the server would run it, and the file default of ${BOT_USER:-teambot} in clear', async () => {
    const run = await cli(['config', 'check', team]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('user: teambot\n');
    const serve = run.stdout.slice(run.stdout.indexOf('\nserve:\n'));
    for (const line of [
      '  host: 127.0.0.1',
      '  port: 8890',
      '  maxConnections: 10000',
      '  registrationTimeout: 10s',
      '  extensions:\n    - sender',
    ]) {
      expect(serve).toContain(`${line}\n`);
    }
    // A value the environment supplies stays masked.
    const fromEnv = await cli(['config', 'check', team], { BOT_USER: 'sekrit' });
    expect(fromEnv.stdout).toContain('user: "****"\n');
    expect(fromEnv.stdout).not.toContain('sekrit');
  });

  it('reads the per-user file after ./mpcrp-bot.yaml, under XDG_CONFIG_HOME or ~/.config', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mpcrp-home-'));
    const work = mkdtempSync(join(tmpdir(), 'mpcrp-work-'));
    const xdg = join(home, 'xdg');
    mkdirSync(join(home, '.config', 'mpcrp-bot'), { recursive: true });
    mkdirSync(join(xdg, 'mpcrp-bot'), { recursive: true });
    writeFileSync(join(home, '.config', 'mpcrp-bot', 'config.yaml'), 'prefix: "~"\n');
    writeFileSync(join(xdg, 'mpcrp-bot', 'config.yaml'), 'prefix: "%"\n');
    const viaHome = await cli(['config', 'check'], { HOME: home }, work);
    expect(viaHome.code).toBe(0);
    expect(viaHome.stdout).toContain(
      `# ${join(home, '.config', 'mpcrp-bot', 'config.yaml')}: valid\n`,
    );
    const viaXdg = await cli(['config', 'check'], { HOME: home, XDG_CONFIG_HOME: xdg }, work);
    expect(viaXdg.stdout).toContain('prefix: "%"\n');
    writeFileSync(join(work, 'mpcrp-bot.yaml'), 'prefix: "."\n');
    const local = await cli(['config', 'check'], { HOME: home, XDG_CONFIG_HOME: xdg }, work);
    expect(local.stdout).toContain('prefix: .\n');
  });

  it('refuses -u "" and -s "" like the file refuses prefix: ""', async () => {
    const run = await cli(['config', 'check', announcer, '-u', '']);
    expect(run.code).toBe(2);
    // The parser layer refuses it before the configuration is read (resolveSettings would too).
    expect(run.stderr).toContain('-u/--user was given an empty value (expected NAME)');
  });
});
