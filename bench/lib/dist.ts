import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './targets.js';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
}

/** The file package.json's `bin` names: what `mpcrp-bot` runs once installed. */
export function binPath(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  return join(ROOT, pkg.bin['mpcrp-bot']!);
}

/**
 * The CLI is measured as users run it: the bin, the bundle behind it, and tsc's dist/ for
 * the commands the bundle leaves out. Builds them (tsc -p tsconfig.build.json, then
 * scripts/bundle-cli.mjs, as `npm run build` does) when the bin is missing or older than
 * src/. Returns the bin's path, or undefined when there is none even after that.
 */
export function ensureCliBuilt(progress: (m: string) => void): string | undefined {
  const bin = binPath();
  const bundle = join(ROOT, 'dist/cli/bundle.cjs');
  const stale = (f: string) => !existsSync(f) || statSync(f).mtimeMs < newest(join(ROOT, 'src'));
  if (stale(bin) || stale(bundle)) {
    progress('dist/ is missing or older than src/: building it (as npm run build does)');
    // tsc still emits when some other file has a type error; only a missing bin counts.
    for (const args of [
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      [join(ROOT, 'scripts/bundle-cli.mjs')],
    ]) {
      spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    }
  }
  return existsSync(bin) ? bin : undefined;
}
