// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${VAR} syntax
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { interpolate } from '../../src/config/interpolate.js';
import { closest, levenshtein } from '../../src/config/suggest.js';
import { ConfigError } from '../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['250', 250],
    [' 3s ', 3000],
    [0, 0],
    [1234, 1234],
  ] as const)('%j is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', 'soon', '2 days', '-1s', '1d', '1e3'])('rejects %j with what to write', (input) => {
    expect(() => parseDuration(input, '--timeout')).toThrow(ConfigError);
    expect(() => parseDuration(input, '--timeout')).toThrow(
      /^--timeout is ".*", not a duration \(expected .*'500ms', '2s', '10m', '1h'\)$/,
    );
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow('duration is -1, not a number ≥ 0');
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(ConfigError);
  });

  it('formatDuration reads back', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_250)).toBe('1h250ms');
  });
});

describe('interpolate', () => {
  const env = { A: 'alpha', EMPTY: '' };
  it('replaces ${VAR} and ${VAR:-default}', () => {
    expect(interpolate('x-${A}-${B:-beta}-${EMPTY:-e}-${EMPTY}', env)).toEqual({
      value: 'x-alpha-beta-e-',
      interpolated: true,
      fromEnv: true,
      problems: [],
    });
    // Only defaults written in the file: nothing came from the environment, nothing secret.
    expect(interpolate('${B:-teambot}', env).fromEnv).toBe(false);
    expect(interpolate('${B:-}', env).value).toBe('');
    expect(interpolate('${B:-a:b}c', env).value).toBe('a:bc');
  });
  it('leaves text without references alone and unescapes $${', () => {
    expect(interpolate('$5 {x} $A', env)).toEqual({
      value: '$5 {x} $A',
      interpolated: false,
      fromEnv: false,
      problems: [],
    });
    expect(interpolate('cost: $${A}', env)).toEqual({
      value: 'cost: ${A}',
      interpolated: false,
      fromEnv: false,
      problems: [],
    });
  });
  it('reports unset variables and malformed references with their index', () => {
    expect(interpolate('a ${NOPE} b ${1X} c ${OPEN', env).problems).toEqual([
      {
        index: 2,
        problem: 'environment variable NOPE is not set',
        expected: 'set NOPE, or give a default: ${NOPE:-value}',
      },
      {
        index: 12,
        problem: "'${1X}' is not a variable reference",
        expected: '${VAR} or ${VAR:-default}, VAR made of letters, digits and _',
      },
      {
        index: 20,
        problem: "'${' is not closed",
        expected: '${VAR} or ${VAR:-default}; write $${ for a literal ${',
      },
    ]);
  });
});

describe('suggestions', () => {
  it('counts edits, with a swap of neighbours as one', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('romos', 'rooms')).toBe(1);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });
  it('suggests only plausible typos', () => {
    const keys = ['server', 'user', 'rooms', 'bots', 'prefix', 'announcements'];
    expect(closest('room', keys)).toBe('rooms');
    expect(closest('Rooms', keys)).toBe('rooms');
    expect(closest('sever', keys)).toBe('server');
    expect(closest('anouncements', keys)).toBe('announcements');
    expect(closest('colour', keys)).toBeUndefined();
    expect(closest('x', keys)).toBeUndefined();
  });
});

describe('nestingProblem', () => {
  it('finds the first level past the cap, skipping quotes and comments', async () => {
    const { nestingProblem } = await import('../../src/config/nesting.js');
    expect(nestingProblem('a: [[[x]]]', 3)).toBeUndefined();
    expect(nestingProblem('a: [[[[x]]]]', 3)).toBe(6);
    expect(nestingProblem(`a: "[[[[[" # {{{{{\nb: '[[[['\nc: don't [x]`, 1)).toBeUndefined();
    expect(nestingProblem('a:\n  - - - x\n', 2)).toBe(9);
    expect(nestingProblem('a:\n  - x\n  - y\n  - z\n', 1)).toBeUndefined();
  });
});
