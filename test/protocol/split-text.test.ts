import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitText } from '../../src/protocol/split-text.js';

describe('splitText', () => {
  it('returns text that fits unchanged', () => {
    expect(splitText('hello', 5)).toEqual(['hello']);
    expect(splitText('', 5)).toEqual(['']);
  });

  it('prefers line breaks, then spaces, dropping the break', () => {
    expect(splitText('aaaa\nbbbb cccc', 10)).toEqual(['aaaa', 'bbbb cccc']);
    expect(splitText('aaaa\r\nbbbbbbb', 10)).toEqual(['aaaa', 'bbbbbbb']);
    expect(splitText('one two three', 8)).toEqual(['one two', 'three']);
  });

  it('cuts a word with no break between characters, never inside one', () => {
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    // Each é is 2 bytes, each emoji 4: pieces never exceed the limit or split a character.
    expect(splitText('éééé😀😀', 5)).toEqual(['éé', 'éé', '😀', '😀']);
  });

  it('every piece fits and nothing but break characters is lost', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 4, max: 40 }),
        (text, max) => {
          const pieces = splitText(text, max);
          for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(max);
          const strip = (s: string) => s.replace(/[\s]/g, '');
          expect(strip(pieces.join(''))).toBe(strip(text));
          expect(pieces.join('').includes('\uFFFD')).toBe(text.includes('\uFFFD'));
        },
      ),
    );
  });

  describe('keepBreaks (send --split)', () => {
    it('keeps the break at the end of its piece', () => {
      expect(splitText('aaaa bbbb cccc', 10, { keepBreaks: true })).toEqual(['aaaa bbbb ', 'cccc']);
      expect(splitText('aaaa\r\nbbbbbbb', 10, { keepBreaks: true })).toEqual([
        'aaaa\r\n',
        'bbbbbbb',
      ]);
      expect(splitText('a bbbbbbbbbbbbb', 10, { keepBreaks: true })).toEqual([
        'a bbbbbbbb',
        'bbbbb',
      ]);
    });

    it('never cuts a character and never loses a byte', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.integer({ min: 4, max: 64 }),
          (text, max) => {
            const pieces = splitText(text, max, { keepBreaks: true });
            expect(pieces.join('')).toBe(text);
            for (const p of pieces) {
              expect(Buffer.byteLength(p)).toBeLessThanOrEqual(max);
              expect(Buffer.from(p).toString()).toBe(p); // whole characters only
            }
          },
        ),
      );
    });
  });
});
