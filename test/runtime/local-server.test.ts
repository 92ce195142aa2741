import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { connectOrEmbed } from '../../src/runtime/local-server.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { deadPort } from '../cli/cli-harness.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// `run` with no server configured does this on the default address (8890); tests use free ports.
describe('connectOrEmbed', () => {
  it('uses a server already listening there', async () => {
    const s = await startServer({ port: 0 });
    servers.push(s);
    const choice = await connectOrEmbed(s.url, { logger: silentLogger });
    expect(choice).toEqual({ url: s.url, embedded: undefined });
  });

  it('starts an embedded server on that address when nothing listens', async () => {
    const url = `mpcrp://127.0.0.1:${await deadPort()}`;
    const choice = await connectOrEmbed(url, { logger: silentLogger });
    expect(choice.embedded).toBeDefined();
    servers.push(choice.embedded!);
    expect(choice.url).toBe(url);
  });
});
