import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidNameError } from '../../src/errors.js';
import {
  assertName,
  isValidName,
  MAX_NAME_LENGTH,
  type NameKind,
  nameProblem,
} from '../../src/protocol/index.js';

const kinds: NameKind[] = ['username', 'room'];

describe.each(kinds)('%s names', (kind) => {
  it.each([
    ['a single character', 'a'],
    ['20 ASCII characters', 'a'.repeat(20)],
    ['20 accented letters (40 UTF-8 bytes)', 'é'.repeat(20)],
    ['20 CJK characters', '世'.repeat(20)],
    ['20 emoji, each an astral code point (two UTF-16 units)', '😀'.repeat(20)],
    ['a mix of astral and ASCII, 20 code points', `${'𝒳'.repeat(10)}${'x'.repeat(10)}`],
    ['punctuation', 'happy-room_001.v2!'],
  ])('accepts %s', (_label, name) => {
    expect(nameProblem(kind, name)).toBeUndefined();
    expect(isValidName(kind, name)).toBe(true);
    expect(assertName(kind, name)).toBe(name);
  });

  it.each([
    ['empty', '', /empty/],
    ['21 ASCII characters', 'a'.repeat(21), /longer than 20/],
    ['21 emoji', '😀'.repeat(21), /longer than 20/],
    ['a space', 'a b', /white space/],
    ['a leading space', ' ab', /white space/],
    ['a tab', 'a\tb', /white space/],
    ['a newline', 'ab\n', /white space/],
    ['a carriage return', 'a\rb', /white space/],
    ['NBSP (U+00A0)', 'a\u00a0b', /white space/],
    ['ideographic space (U+3000)', 'a\u3000b', /white space/],
    ['en quad (U+2000)', 'a\u2000b', /white space/],
    ['line separator (U+2028)', 'a\u2028b', /white space/],
    ['NUL', 'a\u0000b', /control/],
    ['ESC', '\u001b[31m', /control/],
    ['DEL', 'a\u007fb', /control/],
    ['a C1 control (U+0085)', 'a\u0085b', /white space|control/],
    ['the replacement character (undecodable bytes)', 'a\ufffdb', /UTF-8/],
    ['a lone high surrogate (cannot be sent as UTF-8)', 'a\ud800b', /UTF-8/],
    ['a lone low surrogate', '\udc00', /UTF-8/],
  ])('rejects %s', (_label, name, reason) => {
    expect(nameProblem(kind, name)).toMatch(reason);
    expect(isValidName(kind, name)).toBe(false);
    let caught: unknown;
    try {
      assertName(kind, name);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidNameError);
    const err = caught as InvalidNameError;
    expect(err.code).toBe(ErrorCode.InvalidName);
    expect(err.kind).toBe(kind);
    expect(err.value).toBe(name);
    expect(err.message).toContain(kind);
  });
});

describe("':' in names", () => {
  it('is rejected in a room ID', () => {
    expect(nameProblem('room', 'a:b')).toMatch(/':'/);
    expect(nameProblem('room', ':')).toMatch(/':'/);
    expect(() => assertName('room', 'room:0')).toThrow(InvalidNameError);
  });

  it('is allowed in a username', () => {
    expect(nameProblem('username', 'a:b')).toBeUndefined();
    expect(assertName('username', ':')).toBe(':');
  });
});

it('MAX_NAME_LENGTH is 20 code points', () => {
  expect(MAX_NAME_LENGTH).toBe(20);
});
