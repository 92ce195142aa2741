import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  bin: Record<string, string>;
};

// `npm test` builds before vitest runs, so this checks what the build itself leaves behind:
// npx and `file:` installs run the bin directly and fail with "Permission denied" without x.
describe('the package bin after the build', () => {
  for (const [name, path] of Object.entries(pkg.bin)) {
    it(`${name} (${path}) is executable and starts with a node shebang`, () => {
      const file = `${ROOT}${path}`;
      expect(statSync(file).mode & 0o111, `${path} has no execute bit`).toBe(0o111);
      expect(() => accessSync(file, constants.X_OK)).not.toThrow();
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    });
  }
});
