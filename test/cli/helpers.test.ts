// Pure helpers of the CLI: generated names and text splitting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatedUserName, suffixedName } from '../../src/cli/identity.js';
import { isValidName } from '../../src/protocol/names.js';

describe('generatedUserName', () => {
  it('is cli-<first host label>-<pid>, the host cut to fit 20 characters', () => {
    expect(generatedUserName('ci-runner.example.com', 4321)).toBe('cli-ci-runner-4321');
    expect(generatedUserName('build-agent-0000007.ci', 4194304)).toBe('cli-build-ag-4194304');
    expect([...generatedUserName('build-agent-0000007.ci', 4194304)]).toHaveLength(20);
  });

  it('drops what a name may not hold, and falls back to cli-<pid>', () => {
    expect(generatedUserName('my host:1', 7)).toBe('cli-myhost1-7');
    expect(generatedUserName('', 7)).toBe('cli-7');
    expect(generatedUserName('.', 7)).toBe('cli-7');
  });

  it('is always a valid username', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.integer({ min: 1, max: 2 ** 22 }),
        (host, pid) => isValidName('username', generatedUserName(host, pid)),
      ),
    );
  });

  it('suffixes keep within 20 characters and keep the number whole', () => {
    expect(suffixedName('alice', 2)).toBe('alice-2');
    expect(suffixedName('cli-build-ag-4194304', 10)).toBe('cli-build-ag-4194-10');
    expect(suffixedName('😀'.repeat(20), 3)).toBe(`${'😀'.repeat(18)}-3`);
  });
});
