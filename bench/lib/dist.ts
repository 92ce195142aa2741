import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/**
 * The CLI is measured as users run it, from dist/. Builds dist/ (`tsc -p
 * tsconfig.build.json`, what `npm run build` does) when it is missing or older than src/.
 * Returns the path of dist/cli/main.js, or undefined when there is none even after that.
 */
export function ensureCliBuilt(progress: (m: string) => void): string | undefined {
  const main = join(ROOT, 'dist/cli/main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < newest(join(ROOT, 'src'))) {
    progress('dist/ is missing or older than src/: building it (npm run build)');
    // tsc still emits when some other file has a type error; only a missing main.js counts.
    spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
  }
  return existsSync(main) ? main : undefined;
}
