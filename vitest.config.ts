import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Bots and examples import the package by name, as their authors will; tests run them
    // against the source so a stale dist/ can never hide a bug.
    alias: [
      { find: /^mpcrp-bot\/testing$/, replacement: src('testing/index.ts') },
      { find: /^mpcrp-bot$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
