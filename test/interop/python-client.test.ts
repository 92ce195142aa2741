// `mpcrp-bot serve` with a client that is not ours: Python, written from the spec.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';

const CLIENT = fileURLToPath(new URL('./mpcrp_client.py', import.meta.url));

it('serves an independent Python client through the RFC flows', async () => {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn']);
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const { port } = new URL(line.replace(/^MPCRP_URL=mpcrp/, 'http'));
    const { stdout } = await promisify(execFile)('python3', [CLIENT, '127.0.0.1', port]);
    expect(stdout.trim().split('\n').at(-1)).toBe('all ok');
    expect(stdout).not.toMatch(/FAIL/);
  } finally {
    server.kill('SIGTERM');
  }
});
