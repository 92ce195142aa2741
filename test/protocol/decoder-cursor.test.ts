import { describe, expect, it } from 'vitest';
import { FrameTooLargeError } from '../../src/errors.js';
import { encodeFrame, FrameDecoder, HEADER_SIZE } from '../../src/protocol/index.js';
import { wireFixtures } from '../fixtures/wire.js';
import { byteByByte, hex, ownBuffer } from './helpers.js';

interface Seen {
  type: number;
  payload: Buffer;
  /** The whole frame as `buffer` held it, from `start - 4` to `end`. */
  frame: Buffer;
}

/** Writes every chunk and reads frames with next() until false, copying what it sees. */
function drain(decoder: FrameDecoder, chunks: readonly Buffer[]): Seen[] {
  const seen: Seen[] = [];
  for (const chunk of chunks) {
    decoder.write(chunk);
    while (decoder.next()) {
      const { buffer, start, end } = decoder;
      seen.push({
        type: decoder.type,
        payload: Buffer.from(buffer.subarray(start, end)),
        frame: Buffer.from(buffer.subarray(start - HEADER_SIZE, end)),
      });
    }
  }
  return seen;
}

const stream = Buffer.concat(wireFixtures.map((f) => hex(f.hex)));
const expected: Seen[] = wireFixtures.map((f) => {
  const bytes = hex(f.hex);
  return { type: bytes[0]!, payload: bytes.subarray(4), frame: bytes };
});

/** One string per frame: much faster to compare than objects holding Buffers. */
function asHex(seen: Seen): string {
  return `${seen.type} ${seen.payload.toString('hex')} ${seen.frame.toString('hex')}`;
}

function expectTooLarge(action: () => unknown): FrameTooLargeError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FrameTooLargeError);
  return caught as FrameTooLargeError;
}

describe('FrameDecoder cursor: write/next', () => {
  it('reads every frame of one chunk in place, in order', () => {
    const chunk = ownBuffer(stream);
    const decoder = new FrameDecoder();
    decoder.write(chunk);
    let at = 0;
    for (const want of expected) {
      expect(decoder.next()).toBe(true);
      expect(decoder.buffer).toBe(chunk);
      expect(decoder.start).toBe(at + HEADER_SIZE);
      expect(decoder.end).toBe(at + want.frame.length);
      expect(decoder.type).toBe(want.type);
      at += want.frame.length;
    }
    expect(decoder.next()).toBe(false);
    expect(decoder.next()).toBe(false);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reads the same frames fed one byte at a time, each a whole frame with its header', () => {
    const decoder = new FrameDecoder();
    expect(drain(decoder, byteByByte(stream))).toEqual(expected);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reads the same frames when the stream is split at every position', () => {
    for (let at = 0; at <= stream.length; at++) {
      const decoder = new FrameDecoder();
      const seen = drain(decoder, [stream.subarray(0, at), stream.subarray(at)]);
      expect(seen.map(asHex), `split at ${at}`).toEqual(expected.map(asHex));
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('copies a frame that spans chunks once, header included, into a buffer it never reuses', () => {
    const bytes = hex('01 000005 616c696365 02 000001 30');
    const first = ownBuffer(bytes.subarray(0, 6));
    const second = ownBuffer(bytes.subarray(6));
    const decoder = new FrameDecoder();
    decoder.write(first);
    expect(decoder.next()).toBe(false);
    expect(decoder.bufferedBytes).toBe(6);
    decoder.write(second);
    expect(decoder.next()).toBe(true);
    const { buffer, start, end } = decoder;
    expect(buffer).not.toBe(first);
    expect(buffer).not.toBe(second);
    expect([decoder.type, start, end]).toEqual([1, HEADER_SIZE, 9]);
    // The frame after it lies inside the second chunk: read in place.
    expect(decoder.next()).toBe(true);
    expect(decoder.buffer).toBe(second);
    expect([decoder.type, decoder.start, decoder.end]).toEqual([2, 7, 8]);
    expect(decoder.next()).toBe(false);
    first.fill(0);
    second.fill(0);
    expect(buffer.subarray(start - HEADER_SIZE, end)).toEqual(hex('01 000005 616c696365'));
  });

  it('reassembles a frame spread over many chunks, with a frame starting in the last one', () => {
    const big = encodeFrame(13, Buffer.alloc(300, 0x61));
    const tail = encodeFrame(132, Buffer.alloc(0));
    const bytes = Buffer.concat([big, tail]);
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 100), bytes.subarray(100, 303)];
    chunks.push(bytes.subarray(303));
    const decoder = new FrameDecoder();
    expect(drain(decoder, chunks)).toEqual([
      { type: 13, payload: big.subarray(4), frame: big },
      { type: 132, payload: Buffer.alloc(0), frame: tail },
    ]);
  });

  it('keeps no chunk once everything is read: buffer is empty after next() returns false', () => {
    const decoder = new FrameDecoder();
    const chunk = ownBuffer(Buffer.concat([hex('02 000001 30'), hex('84 000000')]));
    decoder.write(chunk);
    expect(decoder.next()).toBe(true);
    expect(decoder.next()).toBe(true);
    expect(decoder.buffer).toBe(chunk);
    expect(decoder.next()).toBe(false);
    expect(decoder.buffer.length).toBe(0);
    // Also after a frame assembled across chunks, and with a partial frame left behind.
    decoder.write(hex('02 0000'));
    expect(decoder.next()).toBe(false);
    decoder.write(hex('01 30 02 00'));
    expect(decoder.next()).toBe(true);
    expect(decoder.next()).toBe(false);
    expect(decoder.buffer.length).toBe(0);
    expect(decoder.bufferedBytes).toBe(2);
  });

  it('stores written chunks until next() is called, and loses nothing when reading stops early', () => {
    const decoder = new FrameDecoder();
    decoder.write(hex('84 000000 85'));
    decoder.write(hex('000000 86 00'));
    expect(decoder.bufferedBytes).toBe(10);
    expect(decoder.next()).toBe(true);
    expect(decoder.type).toBe(0x84);
    // Stop here; a later write appends after the unread rest.
    decoder.write(hex('0000'));
    const types: number[] = [];
    while (decoder.next()) types.push(decoder.type);
    expect(types).toEqual([0x85, 0x86]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('ignores empty chunks', () => {
    const decoder = new FrameDecoder();
    const frame = hex('02 000001 30');
    const seen = drain(decoder, [Buffer.alloc(0), frame.subarray(0, 3), Buffer.alloc(0)]);
    expect(seen).toEqual([]);
    expect(drain(decoder, [frame.subarray(3), Buffer.alloc(0)])).toEqual([
      { type: 2, payload: Buffer.from('0'), frame },
    ]);
  });

  it('agrees with push() on the same decoder, the two used in turn', () => {
    const decoder = new FrameDecoder();
    const types: number[] = [];
    for (const piece of byteByByte(stream)) {
      if (types.length % 2 === 0) {
        decoder.write(piece);
        if (decoder.next()) types.push(decoder.type);
      } else {
        for (const frame of decoder.push(piece)) types.push(frame.type);
      }
    }
    while (decoder.next()) types.push(decoder.type);
    expect(types).toEqual(expected.map((f) => f.type));
  });
});

describe('FrameDecoder cursor: payload limit', () => {
  it('fails as soon as a header announces maxPayload + 1, with nothing buffered after', () => {
    const decoder = new FrameDecoder({ maxPayload: 10 });
    decoder.write(hex('0d 00000b'));
    const error = expectTooLarge(() => decoder.next());
    expect([error.length, error.limit]).toEqual([11, 10]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('refuses an oversized frame even when all of it is in the chunk', () => {
    const decoder = new FrameDecoder({ maxPayload: 2 });
    decoder.write(hex('02 000001 30 0d 000003 016161 84 000000'));
    expect(decoder.next()).toBe(true);
    expect(expectTooLarge(() => decoder.next()).length).toBe(3);
  });

  it('checks the limit when the header completes across chunks, before any payload', () => {
    const decoder = new FrameDecoder({ maxPayload: 255 });
    decoder.write(hex('0d 00'));
    expect(decoder.next()).toBe(false);
    decoder.write(hex('01'));
    expect(decoder.next()).toBe(false);
    decoder.write(hex('00'));
    expect(expectTooLarge(() => decoder.next()).length).toBe(256);
  });

  it('reads the good frames before an oversized header in the same chunk, then fails', () => {
    const decoder = new FrameDecoder({ maxPayload: 4 });
    decoder.write(hex('02 000001 30 84 000000 0d 000005 0172 6869'));
    const types: number[] = [];
    expectTooLarge(() => {
      while (decoder.next()) types.push(decoder.type);
    });
    expect(types).toEqual([2, 132]);
  });

  it('stays failed: every later next() and write() throws the same error, push() too', () => {
    const decoder = new FrameDecoder({ maxPayload: 1 });
    decoder.write(hex('01 000002 6161 02 000001 30'));
    const first = expectTooLarge(() => decoder.next());
    expect(expectTooLarge(() => decoder.next())).toBe(first);
    expect(expectTooLarge(() => decoder.write(hex('02 000001 30')))).toBe(first);
    expect(expectTooLarge(() => decoder.write(Buffer.alloc(0)))).toBe(first);
    expect(expectTooLarge(() => decoder.push(hex('84 000000')))).toBe(first);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('accepts a payload exactly at the limit, in one chunk and split', () => {
    const frame = encodeFrame(13, Buffer.alloc(300, 0x61));
    const whole = new FrameDecoder({ maxPayload: 300 });
    expect(drain(whole, [frame])).toHaveLength(1);
    const split = new FrameDecoder({ maxPayload: 300 });
    expect(drain(split, [frame.subarray(0, 150), frame.subarray(150)])).toHaveLength(1);
  });

  it('never buffers more than maxPayload + 4 bytes', () => {
    const max = 16;
    const decoder = new FrameDecoder({ maxPayload: max });
    const big = encodeFrame(13, Buffer.alloc(max, 1));
    for (const piece of byteByByte(Buffer.concat([big, big, big]))) {
      drain(decoder, [piece]);
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(max + 4);
    }
    expect(decoder.bufferedBytes).toBe(0);
  });
});
