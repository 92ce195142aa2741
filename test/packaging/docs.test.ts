// Sentences in the docs that were false once (issue #15), checked against what is true.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every line of every doc, as `file:line: text`. */
function lines(): string[] {
  return DOCS.flatMap((file) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .map((text, i) => `${file}:${i + 1}: ${text}`),
  );
}

describe('the docs', () => {
  it('run the installed bin, not npx, wherever a signal must reach the process', () => {
    // npx runs the command as its child: a SIGTERM to npx leaves the server or bot running.
    const services = lines().filter((l) => /ExecStart=.*\bnpx\b/.test(l));
    const backgrounded = lines().filter((l) => /:\s+npx [^#]*&\s*(#.*)?$/.test(l));
    expect([...services, ...backgrounded]).toEqual([]);
  });
});
