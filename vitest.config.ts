import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Tests whose assertions are figures measured in real time (see the `timed` project). */
const TIMED = [
  'test/robustness/**/*.test.ts',
  'test/cluster/slow.test.ts',
  'test/bot/fault-model.test.ts',
];

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
    testTimeout: 15_000,
    hookTimeout: 15_000,
    projects: [
      {
        // Most tests wait on sockets and child processes, not on the CPU: vitest's default
        // of one worker per core but one would run them one file at a time on a two-core
        // machine (CI's), ~150 s; four workers take about half that.
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: TIMED,
          maxWorkers: 4,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // These assert latency, RSS or event-loop figures under load they make themselves:
        // run alone, one file at a time, after the rest, so other tests' load cannot move
        // their figures.
        extends: true,
        test: {
          name: 'timed',
          include: TIMED,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
