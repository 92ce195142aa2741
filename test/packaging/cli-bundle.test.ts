// What `npm run build` puts in the CLI bundle (scripts/bundle-cli.mjs): the light commands
// and what they need, nothing that must be the library's own copy, no package loaded up front.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bundle = readFileSync(`${ROOT}dist/cli/bundle.cjs`, 'utf8');
/** esbuild starts each module it bundles with a `// path` comment. */
const modules = [...bundle.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map((m) => m[1]!);

describe('the CLI bundle', () => {
  it('holds main and the light commands', () => {
    for (const c of ['send', 'listen', 'users', 'room', 'chat', 'ping', 'completion']) {
      expect(modules).toContain(`src/cli/commands/${c}.ts`);
    }
    expect(modules).toContain('src/cli/main.ts');
  });

  it('leaves run, serve, config and schedule to dist/, which it imports on demand', () => {
    for (const c of ['run', 'serve', 'config', 'schedule']) {
      expect(modules).not.toContain(`src/cli/commands/${c}.ts`);
      expect(bundle).toContain(`import("./commands/${c}.js")`);
      expect(existsSync(`${ROOT}dist/cli/commands/${c}.js`)).toBe(true);
    }
  });

  it('has no copy of the runtime, the bot layer or the server (bots must meet dist/ ones)', () => {
    expect(modules.filter((m) => /^src\/(runtime|bot|server|testing)\//.test(m))).toEqual([]);
  });

  it('requires no package at load time, only inside the module that uses it', () => {
    // A top-level require is unindented; a lazily initialised module's is indented.
    const eager = [...bundle.matchAll(/^\S.*require\("([^"]+)"\)/gm)].map((m) => m[1]!);
    expect(eager.filter((id) => !id.startsWith('node:'))).toEqual([]);
  });
});
