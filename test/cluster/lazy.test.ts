// Without --redis nothing of the cluster loads: no module the single server imports
// statically reaches src/server/cluster/ or ioredis; start.ts imports it on demand.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module reached from `entry` by static value imports (type-only imports are erased). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.startsWith(SRC)) return;
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      if (m[1] !== undefined) continue;
      const spec = m[2]!;
      if (!spec.startsWith('.')) {
        seen.add(spec);
        continue;
      }
      visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  visit(resolve(SRC, entry));
  return seen;
}

it.each(['index.ts', 'server/index.ts', 'cli/commands/serve.ts'])(
  '%s does not load the cluster or a Redis client until asked',
  (entry) => {
    const graph = [...staticGraph(entry)];
    expect(graph).toContain(resolve(SRC, 'server/start.ts'));
    expect(graph.filter((f) => f.includes('/server/cluster/') || f === 'ioredis')).toEqual([]);
    expect(readFileSync(resolve(SRC, 'server/start.ts'), 'utf8')).toContain(
      "await import('./cluster/redis-registry.js')",
    );
  },
);
