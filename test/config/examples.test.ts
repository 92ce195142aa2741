import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/load.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));

describe('example config files', () => {
  it('exist', () => {
    expect(files).toEqual(expect.arrayContaining(['announcer.yaml', 'team.yaml']));
  });

  it.each(files)('%s is valid, with no environment set', async (name) => {
    const config = await readConfig(`${examples}${name}`, { env: {} });
    expect(config.announcements.length).toBeGreaterThan(0);
  });

  it('team.yaml loads the shipped bots', async () => {
    const config = await readConfig(`${examples}team.yaml`, { env: {} });
    expect(config.bots.map((b) => b.path.slice(b.path.lastIndexOf('/') + 1))).toEqual([
      'help.ts',
      'echo.ts',
      'greeter.ts',
      'dice.ts',
      'remind.ts',
    ]);
  });
});
