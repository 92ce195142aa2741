// `mpcrp-bot serve` as a real child process.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { BIN } from '../helpers/bin.js';

const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  expect(existsSync(BIN), 'run `npm run build` first').toBe(true);
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function serve(...args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, MPCRP_CONFIG: '' },
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const stdoutLines: string[] = [];
  const firstLine = new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      stdoutLines.push(line);
      if (stdoutLines.length === 1) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, firstLine, exited, stdoutLines, stderr: () => stderr };
}

describe('mpcrp-bot serve', () => {
  it('prints exactly one MPCRP_URL line, serves clients, and exits 0 on SIGTERM', async () => {
    const s = serve();
    const line = await s.firstLine;
    expect(line).toMatch(/^MPCRP_URL=mpcrp:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice('MPCRP_URL='.length);
    const alice = await connect(url, { username: 'alice' });
    await alice.createRoom('lobby');
    expect(await alice.getUserList('lobby')).toEqual(['alice']);
    await alice.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stdoutLines).toEqual([line]);
    expect(s.stderr()).toMatch(/listening/);
  });

  it('exits 0 on SIGINT with a client still connected', async () => {
    const s = serve();
    const url = (await s.firstLine).slice('MPCRP_URL='.length);
    const bob = await connect(url, { username: 'bob' });
    const closed = new Promise((r) => bob.once('close', r));
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    await closed;
  });

  it('--no-extensions serves a strict RFC server', async () => {
    const s = serve('--no-extensions');
    const url = (await s.firstLine).slice('MPCRP_URL='.length);
    const carol = await connect(url, { username: 'carol' });
    expect(carol.extensions.size).toBe(0);
    await carol.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('rejects a bad flag value with exit 2 and a hint', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--registration-timeout', 'soon']);
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toMatch(/registration-timeout/);
  });
});
