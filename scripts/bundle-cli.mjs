// Builds the CLI that `bin` runs: src/cli/main.ts and the light commands in one CommonJS
// file, dist/cli/bundle.cjs, behind dist/cli/mpcrp-bot.cjs (the bin), which turns on
// Node's compile cache (22.1+) before loading it. A CLI start-up on Node 20 is mostly
// loading modules (~0.6 ms each through the ES module loader, plus ~3.5 ms to start that
// loader); one CommonJS file is one synchronous read and compile. See docs/performance.md.
//
// What stays out, as tsc's output next to the bundle (dist/cli/...), loaded on demand:
// - the packages (yargs, yaml, tsx, croner, ioredis): required or imported where used;
// - the heavy commands (run, serve, config, schedule). `run` loads bot files that import
//   'mpcrp-bot' (dist/index.js): the runtime they meet must be that same copy, or a bot's
//   `instanceof NotMemberError` would fail. The others load the server and config schema.
// The library's `exports` are tsc's output and are never bundled.
import { chmodSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${root}dist/cli/mpcrp-bot.cjs`;
const OUT = `${root}dist/cli/bundle.cjs`;
const UNBUNDLED = /^\.\/commands\/(run|serve|config|schedule)\.js$/;

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // CommonJS has no import.meta: main.ts finds package.json and docs/ from its own URL.
  define: { 'import.meta.url': '__mpcrpModuleUrl' },
  inject: [fileURLToPath(new URL('cjs-module-url.mjs', import.meta.url))],
  plugins: [
    {
      name: 'unbundled-commands',
      setup(b) {
        b.onResolve({ filter: UNBUNDLED }, (args) =>
          args.importer.endsWith('src/cli/main.ts')
            ? { path: args.path, external: true }
            : undefined,
        );
      },
    },
  ],
  legalComments: 'none',
  logLevel: 'silent',
});
// A warning here (an import.meta esbuild cannot map, say) would be a broken CLI later.
if (result.warnings.length > 0) {
  for (const w of result.warnings) process.stderr.write(`bundle-cli: ${w.text}\n`);
  process.exit(1);
}

// The bin: the compile cache must be on before the bundle is compiled for the bundle to be
// cached, so it is turned on here, in a file of a few lines, and not in main.ts.
writeFileSync(
  BIN,
  `#!/usr/bin/env node
'use strict';
// Node 22.1+ keeps the compiled code of the CLI between runs (NODE_DISABLE_COMPILE_CACHE=1
// turns that off); Node 20 has no compile cache. Built by scripts/bundle-cli.mjs.
require('node:module').enableCompileCache?.();
require('./bundle.cjs');
`,
);
// npx and `file:` installs run the bin directly. dist/cli/main.js was the bin before 0.2:
// npx's cache and installs made then still link to it, so it stays executable (unbundled).
chmodSync(BIN, 0o755);
chmodSync(`${root}dist/cli/main.js`, 0o755);
