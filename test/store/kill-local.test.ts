// Done when (local store): karma counts bob++ twice, `run` is killed with -9 and started
// again, and `!karma bob` answers 2.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { survivesKill } from './karma-run.js';

it('karma survives kill -9 of run on the local store (--data DIR)', async () => {
  await survivesKill(['--data', mkdtempSync(join(tmpdir(), 'mpcrp-karma-'))]);
});
