// A port that answers in another protocol (an HTTP service, say): the CLI says so instead of
// reporting the bytes as an oversize MPCRP frame.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { fakeServer, run, start } from './cli-harness.js';

const ECHO = fileURLToPath(new URL('../../bots/echo.ts', import.meta.url));
let http: Server;
let url: string;

beforeAll(async () => {
  http = createServer((_req, res) => res.end('hello from http\n'));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  url = `mpcrp://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

describe('a server that is not MPCRP', () => {
  it('send exits 3 and says it does not look like an MPCRP server', async () => {
    const r = await run(['send', '-s', url, '-r', 'lobby', 'hi']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not look like an MPCRP server: it answered "HTTP\/1\.1 400/);
    expect(r.stderr).not.toMatch(/exceeds the limit/);
  });

  it('the client library rejects with NotMpcrpServerError', async () => {
    await expect(connect(url, { username: 'alice' })).rejects.toMatchObject({
      name: 'NotMpcrpServerError',
      code: 'NOT_MPCRP_SERVER',
    });
  });

  it('a first frame of a type MPCRP does not define counts too', async () => {
    const fake = await fakeServer(() => Buffer.from([0x7f, 0, 0, 1, 0x21]));
    const r = await run(['send', '-s', fake.url, '-r', 'lobby', 'hi']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not look like an MPCRP server/);
  });

  it('run keeps retrying, with that message', async () => {
    const bot = start(['run', ECHO, '-s', url, '--connect-timeout', '1s']);
    await bot.waitForStderr(/does not look like an MPCRP server.*\n(.*\n)*.*does not look like/);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });
});
