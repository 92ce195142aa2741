// `run`'s store options as a user meets them: where data: points, one process per data
// directory, an unreachable Redis, and the warning on a server that names nobody.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { client, inbox, run, server, start } from '../cli/cli-harness.js';
import { KARMA, karmaRun } from './karma-run.js';

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

describe('run --store redis://', () => {
  it('fails at start with exit 3 and the reason when Redis cannot be reached', async () => {
    const result = await run([
      'run',
      KARMA,
      '--server',
      'mpcrp://127.0.0.1:1',
      '--store',
      'redis://127.0.0.1:1',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /cannot reach the store at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1; is Redis running there\?/,
    );
  });
});

describe('run on a server without sender', () => {
  it('warns at start that guarded commands will be refused', async () => {
    const s = await server({ extensions: false });
    const dir = mkdtempSync(join(tmpdir(), 'mpcrp-guarded-'));
    const file = join(dir, 'guarded.mjs');
    writeFileSync(
      file,
      "export default { name: 'guarded', setup(bot) { bot.command('deploy', { description: 'x', allow: 'ops' }, (ctx) => ctx.reply('ran')); } };\n",
    );
    writeFileSync(join(dir, 'mpcrp-bot.yaml'), `roles:\n  ops: [alice]\nbots: [./guarded.mjs]\n`);
    const bot = start(['run', '--server', s.url, '-r', 'lobby'], { cwd: dir });
    await bot.waitForStderr(
      /the server grants no 'sender' extension, so nobody can be identified: every guarded command is refused commands="!deploy"/,
    );
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });
});
