// Hostile config files (issue 11, item 8): alias bombs, a self-referencing alias, a huge file
// and deep nesting. Each must be refused with FILE:LINE:COL and exit 2, quickly, without the
// memory the expansion would take.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, readConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { BIN as MAIN } from '../helpers/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'mpcrp-bombs-'));
writeFileSync(join(dir, 'x.ts'), 'export default { name: "x" };\n');

/** A billion-laughs bomb under plugin options: `levels` lists of 9 aliases each. */
function aliasBomb(levels: number): string {
  const names = 'abcdefghijklmnop';
  const lines = ['user: bomb', 'bots:', '  - path: ./x.ts', '    options:'];
  lines.push(`      a: &a [${Array(9).fill('"lol"').join(',')}]`);
  for (let i = 1; i < levels; i++) {
    const prev = names[i - 1];
    lines.push(`      ${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

const cases: Record<string, { text: string; at: RegExp; says: RegExp }> = {
  // 9^9 strings: busy past 60 s at 800 MB before.
  'alias bomb, 9 levels': { text: aliasBomb(9), at: /^bomb\.yaml:6:\d+: /, says: /alias bomb/ },
  // 9^7: accepted in 5.6 s using 457 MB before.
  'alias bomb, 7 levels': { text: aliasBomb(7), at: /^bomb\.yaml:6:\d+: /, says: /alias bomb/ },
  // Exited 1 with RangeError: Maximum call stack size exceeded before.
  'self-referencing alias': {
    text: 'bots:\n  - path: ./x.ts\n    options: &o\n      self: *o\n',
    at: /^bomb\.yaml:4:13: /,
    says: /inside its own anchor &o, a cycle/,
  },
  'deep nesting': {
    text: `rooms: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    at: /^bomb\.yaml:1:72: /, // 'rooms: ' and 64 brackets: the 65th
    says: /nests lists or mappings more than 64 levels deep/,
  },
  // 100,000 compact entries on one line: 1.4 s in the parser before.
  'deep compact entries': {
    text: `rooms:\n  ${'- '.repeat(100_000)}x\n`,
    at: /^bomb\.yaml:2:131: /,
    says: /more than 64 levels deep/,
  },
  // 10 MB took 895 MB before.
  'a 10 MB file': {
    text: `rooms: [a]\n${'# padding\n'.repeat(1_000_000)}`,
    at: /^bomb\.yaml:1:1: /,
    says: new RegExp(`larger than ${MAX_CONFIG_BYTES} bytes`),
  },
};

function cli(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('MPCRP_')),
    );
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('hostile config files', () => {
  // Load the YAML parser first, so the figures are the file's cost, not the import's.
  beforeAll(() => import('../../src/config/parse.js'));

  it.each(Object.entries(cases))(
    '%s: one located error, in well under a second, little memory',
    async (_name, c) => {
      const file = join(dir, 'bomb.yaml');
      writeFileSync(file, c.text);
      const rssBefore = process.resourceUsage().maxRSS;
      const started = performance.now();
      const error = await readConfig(file, { cwd: dir, env: {} }).catch((e: unknown) => e);
      const ms = performance.now() - started;
      const grewMb = (process.resourceUsage().maxRSS - rssBefore) / 1024;
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues;
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(c.at);
      expect(issues[0]).toMatch(c.says);
      expect(issues[0]).toMatch(/\(expected .+\)$/);
      // The issue's bound is "under a second"; the work left is a parse of a few KB.
      expect(ms).toBeLessThan(1000);
      // maxRSS is a high-water mark: growth is what this file cost (the bombs took 450-800 MB).
      expect(grewMb).toBeLessThan(64);
    },
  );

  it.each(Object.keys(cases))(
    '%s: `config check` and `run -c` exit 2 with FILE:LINE:COL',
    async (name) => {
      const sub = mkdtempSync(join(dir, 'cli-'));
      writeFileSync(join(sub, 'x.ts'), 'export default { name: "x" };\n');
      writeFileSync(join(sub, 'bomb.yaml'), cases[name]!.text);
      for (const args of [
        ['config', 'check', 'bomb.yaml'],
        ['run', '-c', 'bomb.yaml'],
      ]) {
        const run = await cli(args, sub);
        expect(run.code).toBe(2);
        const lines = run.stderr.trim().split('\n');
        // `run` prefixes its log lines with the program name; `config check` prints the bare list.
        expect(lines[0]!.replace(/^mpcrp-bot: /, '')).toMatch(cases[name]!.at);
        expect(lines[0]).toMatch(cases[name]!.says);
      }
    },
  );
});

describe('ordinary aliases', () => {
  it('sharing one options block between bots stays fine', async () => {
    const file = join(dir, 'shared.yaml');
    const shared = Array.from({ length: 50 }, (_, i) => `      k${i}: v${i}`).join('\n');
    writeFileSync(
      file,
      `bots:\n  - path: ./x.ts\n    options: &shared\n${shared}\n${'  - { path: ./x.ts, options: *shared }\n'.repeat(20)}`,
    );
    const config = await readConfig(file, { cwd: dir, env: {} });
    expect(config.bots).toHaveLength(21);
    expect(config.bots[20]!.options).toEqual(config.bots[0]!.options);
  });
});
