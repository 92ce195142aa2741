import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeData, encodeDataFrom } from '../../src/protocol/codec.js';
import { NameMemo, shortAsciiLength } from '../../src/protocol/short-strings.js';
import { HEADER_SIZE, MessageType } from '../../src/protocol/types.js';

/** Data and DataFrom as the byte-by-byte reference builds them (Buffer.from of each part). */
function referenceData(room: string, text: string): Buffer {
  const r = Buffer.from(room);
  const t = Buffer.from(text);
  const length = 1 + r.length + t.length;
  const header = Buffer.from([MessageType.Data, length >> 16, (length >> 8) & 255, length & 255]);
  return Buffer.concat([header, Buffer.from([r.length]), r, t]);
}

function referenceDataFrom(room: string, sender: string, text: string): Buffer {
  const [r, s, t] = [room, sender, text].map((x) => Buffer.from(x));
  const length = 2 + r!.length + s!.length + t!.length;
  const header = Buffer.from([
    MessageType.DataFrom,
    length >> 16,
    (length >> 8) & 255,
    length & 255,
  ]);
  return Buffer.concat([header, Buffer.from([r!.length]), r!, Buffer.from([s!.length]), s!, t!]);
}

describe('short ASCII strings', () => {
  it('takes the loop only for short all-ASCII strings', () => {
    expect(shortAsciiLength('lobby')).toBe(5);
    expect(shortAsciiLength('')).toBe(0);
    expect(shortAsciiLength('x'.repeat(128))).toBe(128);
    expect(shortAsciiLength('x'.repeat(129))).toBe(-1);
    expect(shortAsciiLength('café')).toBe(-1);
    expect(shortAsciiLength('\x7f')).toBe(1);
    expect(shortAsciiLength('\x80')).toBe(-1);
  });

  it('encodes Data and DataFrom byte for byte as the reference, ASCII or not, short or long', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 140 }),
    );
    const name = fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    );
    fc.assert(
      fc.property(name, name, text, (room, sender, t) => {
        expect(encodeData(room, t).equals(referenceData(room, t))).toBe(true);
        expect(encodeDataFrom(room, sender, t).equals(referenceDataFrom(room, sender, t))).toBe(
          true,
        );
      }),
    );
  });

  it('still refuses a room ID over 255 bytes', () => {
    expect(() => encodeData('é'.repeat(128), 'x')).toThrow(/255 bytes/);
    expect(() => encodeDataFrom('r', 'x'.repeat(256), 'x')).toThrow(/255 bytes/);
  });
});

describe('NameMemo', () => {
  it('hands out the remembered string only for the same bytes', () => {
    const memo = new NameMemo();
    const a = Buffer.from('..lobby..');
    const first = memo.decode(a, 2, 7);
    expect(first).toBe('lobby');
    expect(memo.decode(Buffer.from('lobby'), 0, 5)).toBe('lobby');
    // Same length, one byte different: decoded again.
    expect(memo.decode(Buffer.from('lobbz'), 0, 5)).toBe('lobbz');
    expect(memo.decode(Buffer.from('lobby'), 0, 5)).toBe('lobby');
    expect(memo.decode(Buffer.from('lob'), 0, 3)).toBe('lob');
    expect(memo.decode(Buffer.from('café'), 0, 5)).toBe('café');
    expect(memo.decode(Buffer.alloc(0), 0, 0)).toBe('');
  });

  it('decodes names longer than it remembers every time, correctly', () => {
    const memo = new NameMemo();
    const long = 'n'.repeat(100);
    expect(memo.decode(Buffer.from(long), 0, 100)).toBe(long);
    expect(memo.decode(Buffer.from(`${long.slice(1)}m`), 0, 100)).toBe(`${long.slice(1)}m`);
  });

  it('decodes a stream of DataFrom frames from alternating rooms and senders correctly', () => {
    const frames = [
      ['lobby', 'alice', 'hi'],
      ['lobby', 'alice', 'again'],
      ['lobbz', 'bob', 'x'],
      ['lobby', 'bo', 'y'],
      ['salle', 'élodie', 'ça va'],
    ] as const;
    for (const [room, sender, text] of frames) {
      const frame = encodeDataFrom(room, sender, text);
      const payload = frame.subarray(HEADER_SIZE);
      expect(decodeMessage({ type: MessageType.DataFrom, payload })).toEqual({
        type: MessageType.DataFrom,
        room,
        sender,
        text,
      });
    }
  });
});
