import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, FrameDecoder } from '../../src/protocol/index.js';
import { wireFixtures } from '../fixtures/wire.js';
import { byteByByte, feed, hex } from './helpers.js';

describe('wire fixtures', () => {
  it('cover every message type 1-13 and extension type 128-133', () => {
    const types = new Set(wireFixtures.map((f) => f.message.type));
    const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 128, 129, 130, 131, 132, 133];
    expect([...types].sort((a, b) => a - b)).toEqual(expected);
  });

  it('have headers whose type byte and 24-bit big-endian length match the payload', () => {
    for (const f of wireFixtures) {
      const bytes = hex(f.hex);
      expect(bytes[0], f.name).toBe(f.message.type);
      expect(bytes.readUIntBE(1, 3), f.name).toBe(bytes.length - 4);
    }
  });

  describe.each(wireFixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const bytes = hex(f.hex);

    it('decodes from one chunk', () => {
      const frames = feed(new FrameDecoder(), [bytes]);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.type).toBe(f.message.type);
      expect(frames[0]!.payload).toEqual(bytes.subarray(4));
      expect(decodeMessage(frames[0]!)).toStrictEqual(f.message);
    });

    it('decodes when fed byte by byte', () => {
      const decoder = new FrameDecoder();
      const chunks = byteByByte(bytes);
      // Nothing may come out before the last byte arrives.
      expect(feed(decoder, chunks.slice(0, -1))).toEqual([]);
      const frames = feed(decoder, chunks.slice(-1));
      expect(frames).toHaveLength(1);
      expect(decodeMessage(frames[0]!)).toStrictEqual(f.message);
      expect(decoder.bufferedBytes).toBe(0);
    });

    it('encodes to exactly the fixture bytes', () => {
      expect(encodeMessage(f.message).toString('hex')).toBe(bytes.toString('hex'));
    });

    it('round-trips encode -> decode unchanged', () => {
      const encoded = encodeMessage(f.message);
      const frame = { type: encoded[0]!, payload: encoded.subarray(4) };
      expect(decodeMessage(frame)).toStrictEqual(f.message);
    });
  });
});
