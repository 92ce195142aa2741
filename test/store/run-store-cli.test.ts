// `run`'s store options as a user meets them: where data: points, and one process per data
// directory. (Redis errors and the no-sender warning: open-bot-store.test.ts.)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { client, inbox, server } from '../cli/cli-harness.js';
import { karmaRun } from './karma-run.js';

describe('run --data / data:', () => {
  it('data: resolves against the config file, and a second run on that directory is told to use its own', async () => {
    const s = await server();
    const project = mkdtempSync(join(tmpdir(), 'mpcrp-project-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'mpcrp-cwd-'));
    mkdirSync(join(project, 'conf'));
    const config = join(project, 'conf', 'mpcrp-bot.yaml');
    writeFileSync(config, 'data: ../state\n');
    const first = await karmaRun(s.url, ['--config', config], elsewhere);
    expect(first.stderr()).toContain(`at=${join(project, 'state', 'store')}`);
    const alice = await client(s.url, 'alice');
    await alice.joinRoom('lobby');
    const got = inbox(alice);
    alice.send('lobby', 'bob++');
    alice.send('lobby', '!karma bob');
    expect((await got.next(1))[0]!.text).toBe('bob has karma 1');
    // Same directory through --data: LevelDB's lock refuses it on the first store call.
    const second = await karmaRun(s.url, ['--data', join(project, 'state'), '-u', 'karma2']);
    alice.send('lobby', 'bob++');
    await second.waitForStderr(
      /in use by another process; give each bot process its own --data DIR, or share one store between them with --store redis:/,
    );
    await alice.close();
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect((await second.exited).code).toBe(0);
  });
});
