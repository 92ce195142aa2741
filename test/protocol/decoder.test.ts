import { describe, expect, it } from 'vitest';
import { ErrorCode, FrameTooLargeError } from '../../src/errors.js';
import {
  DEFAULT_MAX_PAYLOAD,
  encodeFrame,
  FrameDecoder,
  MAX_WIRE_PAYLOAD,
} from '../../src/protocol/index.js';
import { wireFixtures } from '../fixtures/wire.js';
import { byteByByte, feed, hex, ownBuffer } from './helpers.js';

const stream = Buffer.concat(wireFixtures.map((f) => hex(f.hex)));
const expected = wireFixtures.map((f) => {
  const bytes = hex(f.hex);
  return { type: bytes[0]!, payload: bytes.subarray(4) };
});

/** Pushes one chunk and expects the decoder to fail with FrameTooLargeError. */
function pushExpectTooLarge(decoder: FrameDecoder, chunk: Buffer): FrameTooLargeError {
  let caught: unknown;
  try {
    feed(decoder, [chunk]);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FrameTooLargeError);
  return caught as FrameTooLargeError;
}

describe('FrameDecoder: chunking', () => {
  it('yields many frames from one chunk, in order', () => {
    const decoder = new FrameDecoder();
    expect(feed(decoder, [stream])).toEqual(expected);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('yields the same frames when the stream is split at every possible position', () => {
    for (let at = 0; at <= stream.length; at++) {
      const decoder = new FrameDecoder();
      const frames = feed(decoder, [stream.subarray(0, at), stream.subarray(at)]);
      expect(frames, `split at ${at}`).toEqual(expected);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('yields one frame split at every position, with nothing before the last piece', () => {
    const frame = hex('0d 00000f 0c 6861707079726f6f6d303031 6869');
    for (let at = 1; at < frame.length; at++) {
      const decoder = new FrameDecoder();
      expect(feed(decoder, [frame.subarray(0, at)])).toEqual([]);
      expect(decoder.bufferedBytes).toBe(at);
      const frames = feed(decoder, [frame.subarray(at)]);
      expect(frames).toEqual([{ type: 13, payload: frame.subarray(4) }]);
    }
  });

  it('yields the whole stream fed one byte at a time', () => {
    expect(feed(new FrameDecoder(), byteByByte(stream))).toEqual(expected);
  });

  it('reassembles a header split across three chunks', () => {
    const frame = hex('01 000005 616c696365');
    const decoder = new FrameDecoder();
    expect(feed(decoder, [frame.subarray(0, 1), frame.subarray(1, 3)])).toEqual([]);
    expect(decoder.bufferedBytes).toBe(3);
    const frames = feed(decoder, [frame.subarray(3)]);
    expect(frames).toEqual([{ type: 1, payload: Buffer.from('alice') }]);
  });

  it('ignores empty chunks', () => {
    const decoder = new FrameDecoder();
    const frame = hex('02 000001 30');
    const frames = feed(decoder, [
      Buffer.alloc(0),
      frame.subarray(0, 2),
      Buffer.alloc(0),
      frame.subarray(2),
    ]);
    expect(frames).toEqual([{ type: 2, payload: Buffer.from('0') }]);
  });

  it('handles zero-length payloads, whole and split, back to back', () => {
    const empties = hex('84 000000 84 000000 ff 000000');
    const want = [132, 132, 255].map((type) => ({ type, payload: Buffer.alloc(0) }));
    expect(feed(new FrameDecoder(), [empties])).toEqual(want);
    expect(feed(new FrameDecoder(), byteByByte(empties))).toEqual(want);
  });

  it('stores a pushed chunk even when the caller never iterates', () => {
    const decoder = new FrameDecoder();
    decoder.push(hex('84 00'));
    expect(decoder.bufferedBytes).toBe(2);
    expect([...decoder.push(hex('00 00'))].map((f) => f.type)).toEqual([132]);
  });

  it('hands over frames left behind on an empty push', () => {
    const decoder = new FrameDecoder();
    for (const _ of decoder.push(hex('84 000000 85 000000'))) break;
    expect([...decoder.push(Buffer.alloc(0))].map((f) => f.type)).toEqual([133]);
  });

  it('keeps the unread rest of a chunk when the consumer stops iterating early', () => {
    const decoder = new FrameDecoder();
    const seen: number[] = [];
    for (const frame of decoder.push(stream)) {
      seen.push(frame.type);
      if (seen.length === 3) break;
    }
    // The next push yields the frames left behind, then the new one: nothing is lost.
    for (const frame of decoder.push(hex('84 000000'))) seen.push(frame.type);
    expect(seen).toEqual([...expected.map((f) => f.type), 132]);
    expect(decoder.bufferedBytes).toBe(0);
  });
});

describe('FrameDecoder: zero-copy', () => {
  it('returns a frame inside one chunk as a view of that chunk', () => {
    const chunk = ownBuffer(hex('01 000005 616c696365 02 000001 30'));
    const frames = [...new FrameDecoder().push(chunk)];
    expect(frames).toHaveLength(2);
    expect(frames[0]!.payload.buffer).toBe(chunk.buffer);
    expect(frames[0]!.payload.byteOffset).toBe(chunk.byteOffset + 4);
    expect(frames[1]!.payload.buffer).toBe(chunk.buffer);
    expect(frames[1]!.payload.byteOffset).toBe(chunk.byteOffset + 13);
  });

  it('copies a frame that spans chunks', () => {
    const bytes = hex('01 000005 616c696365');
    const first = ownBuffer(bytes.subarray(0, 6));
    const second = ownBuffer(bytes.subarray(6));
    const decoder = new FrameDecoder();
    expect([...decoder.push(first)]).toEqual([]);
    const [frame] = [...decoder.push(second)];
    expect(frame!.payload.toString()).toBe('alice');
    expect(frame!.payload.buffer).not.toBe(first.buffer);
    expect(frame!.payload.buffer).not.toBe(second.buffer);
    first.fill(0);
    second.fill(0);
    expect(frame!.payload.toString()).toBe('alice');
  });
});

describe('FrameDecoder: payload limit', () => {
  it('throws as soon as a header announces maxPayload + 1, with length and limit', () => {
    const decoder = new FrameDecoder({ maxPayload: 10 });
    const err = pushExpectTooLarge(decoder, hex('0d 00000b'));
    expect(err.length).toBe(11);
    expect(err.limit).toBe(10);
    expect(err.code).toBe(ErrorCode.FrameTooLarge);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('rejects a 16 MiB announcement under the default limit before any payload arrives', () => {
    const decoder = new FrameDecoder();
    expect(decoder.maxPayload).toBe(DEFAULT_MAX_PAYLOAD);
    const err = pushExpectTooLarge(decoder, hex('0d ffffff'));
    expect(err.length).toBe(MAX_WIRE_PAYLOAD);
    expect(err.limit).toBe(DEFAULT_MAX_PAYLOAD);
  });

  it('checks the limit when the header completes across chunks', () => {
    const decoder = new FrameDecoder({ maxPayload: 255 });
    expect(feed(decoder, [hex('0d 00')])).toEqual([]);
    expect(feed(decoder, [hex('01')])).toEqual([]);
    expect(pushExpectTooLarge(decoder, hex('00')).length).toBe(256);
  });

  it('yields the good frames before the oversized header, then fails', () => {
    const decoder = new FrameDecoder({ maxPayload: 4 });
    const got: number[] = [];
    expect(() => {
      for (const frame of decoder.push(hex('02 000001 30 84 000000 0d 000005 0172 6869'))) {
        got.push(frame.type);
      }
    }).toThrow(FrameTooLargeError);
    expect(got).toEqual([2, 132]);
  });

  it('stays failed: every later push throws the same error', () => {
    const decoder = new FrameDecoder({ maxPayload: 1 });
    const first = pushExpectTooLarge(decoder, hex('01 000002 6161'));
    expect(pushExpectTooLarge(decoder, hex('02 000001 30'))).toBe(first);
    expect(pushExpectTooLarge(decoder, Buffer.alloc(0))).toBe(first);
  });

  it('accepts a payload exactly at the limit', () => {
    const payload = Buffer.alloc(300, 0x61);
    const frame = encodeFrame(13, payload);
    expect(frame.subarray(0, 4)).toEqual(hex('0d 00012c'));
    const decoder = new FrameDecoder({ maxPayload: 300 });
    expect(feed(decoder, [frame.subarray(0, 150), frame.subarray(150)])).toEqual([
      { type: 13, payload },
    ]);
  });

  it('accepts only empty payloads with maxPayload 0', () => {
    const decoder = new FrameDecoder({ maxPayload: 0 });
    expect(feed(decoder, [hex('84 000000')])).toHaveLength(1);
    expect(pushExpectTooLarge(decoder, hex('02 000001')).limit).toBe(0);
  });

  it('never buffers more than maxPayload + 4 bytes', () => {
    const max = 16;
    const decoder = new FrameDecoder({ maxPayload: max });
    const big = encodeFrame(13, Buffer.alloc(max, 1));
    const bytes = Buffer.concat([big, big, big]);
    for (const piece of byteByByte(bytes)) {
      feed(decoder, [piece]);
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(max + 4);
    }
    expect(decoder.bufferedBytes).toBe(0);
    // The largest partial a hostile peer can park: a full header plus max - 1 payload bytes.
    feed(decoder, [big.subarray(0, big.length - 1)]);
    expect(decoder.bufferedBytes).toBe(max + 3);
  });
});

describe('FrameDecoder: options', () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_WIRE_PAYLOAD + 1])(
    'rejects maxPayload %s with a RangeError naming the valid range',
    (maxPayload) => {
      expect(() => new FrameDecoder({ maxPayload })).toThrow(RangeError);
      expect(() => new FrameDecoder({ maxPayload })).toThrow(/0 to 16777215/);
    },
  );

  it.each([0, 1, DEFAULT_MAX_PAYLOAD, MAX_WIRE_PAYLOAD])('accepts maxPayload %s', (maxPayload) => {
    expect(new FrameDecoder({ maxPayload }).maxPayload).toBe(maxPayload);
  });

  it('defaults to 64 KiB', () => {
    expect(new FrameDecoder().maxPayload).toBe(64 * 1024);
    expect(new FrameDecoder({}).maxPayload).toBe(64 * 1024);
  });
});
