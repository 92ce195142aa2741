// What `npm pack` ships: everything the package's own files point at must be in it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};
let shipped: Set<string>;
let scratch: string;
/** The tarball unpacked where an install would put it: node_modules/mpcrp-bot. */
let installed: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mpcrp-pack-'));
  const out = execFileSync(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const [pack] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  shipped = new Set(pack.files.map((f) => f.path));
  const modules = join(scratch, 'node_modules');
  installed = join(modules, 'mpcrp-bot');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    join(scratch, pack.filename),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  // What npm would install beside it: the package's own dependencies.
  for (const dep of Object.keys(pkg.dependencies)) {
    symlinkSync(join(ROOT, 'node_modules', dep), join(modules, dep), 'dir');
  }
}, 60_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('has the LICENSE that package.json names', () => {
    expect(shipped.has('LICENSE')).toBe(true);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('ships the sources every source map points at', () => {
    const maps = [...shipped].filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        const path = normalize(join(dirname(map), source));
        if (!shipped.has(path)) missing.push(`${map} -> ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships every file the README links to', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    const missing = links.filter(
      (l) =>
        !shipped.has(normalize(l)) && ![...shipped].some((f) => f.startsWith(`${normalize(l)}/`)),
    );
    expect(missing).toEqual([]);
  });

  it('ships a bin that runs: the bundled commands, and those it loads from dist/', () => {
    const bin = join(installed, pkg.bin['mpcrp-bot']!);
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: 'utf8' });
    expect(cli('--version').trim()).toBe(
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    );
    // send is in the bundle; serve is tsc's output, imported by the bundle on demand.
    expect(cli('send', '--help')).toMatch(/^mpcrp-bot send/);
    expect(cli('serve', '--help')).toMatch(/^mpcrp-bot serve/);
  });
});
