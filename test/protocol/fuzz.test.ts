import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, MalformedPayloadError } from '../../src/errors.js';
import {
  decodeMessage,
  encodeFrame,
  encodeMessage,
  type Frame,
  FrameDecoder,
} from '../../src/protocol/index.js';
import { cutsArb, hostileBytesArb, messageArb, rawFrameArb } from './arbitraries.js';
import { chunkAt, feed } from './helpers.js';

/** A small payload limit: tiny (most frames too large) or a few hundred bytes (most fit). */
const smallLimitArb = fc.oneof(fc.nat(16), fc.integer({ min: 64, max: 300 }));

/** Straight-line reading of the framing rules, as the oracle for the streaming decoder. */
function referenceFrames(bytes: Buffer, max: number): { frames: Frame[]; tooLarge: boolean } {
  const frames: Frame[] = [];
  let at = 0;
  while (bytes.length - at >= 4) {
    const length = bytes.readUIntBE(at + 1, 3);
    if (length > max) return { frames, tooLarge: true };
    if (bytes.length - at - 4 < length) break;
    frames.push({ type: bytes[at]!, payload: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return { frames, tooLarge: false };
}

/** Feeds chunks one at a time, checking the invariants after each; stops at the first error. */
function feedChecked(
  decoder: FrameDecoder,
  chunks: Buffer[],
): { frames: Frame[]; error?: unknown } {
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    try {
      for (const frame of decoder.push(chunk)) {
        expect(frame.payload.length).toBeLessThanOrEqual(decoder.maxPayload);
        frames.push({ type: frame.type, payload: Buffer.from(frame.payload) });
      }
    } catch (error) {
      return { frames, error };
    }
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(decoder.maxPayload + 4);
  }
  return { frames };
}

describe('FrameDecoder under hostile input', () => {
  it('(a) only ever throws FrameTooLargeError, respects the limit and agrees with the reference', () => {
    fc.assert(
      fc.property(hostileBytesArb, cutsArb, smallLimitArb, (bytes, cuts, max) => {
        const decoder = new FrameDecoder({ maxPayload: max });
        const { frames, error } = feedChecked(decoder, chunkAt(bytes, cuts));
        const reference = referenceFrames(bytes, max);
        expect(frames).toEqual(reference.frames);
        if (error === undefined) {
          expect(reference.tooLarge).toBe(false);
          return;
        }
        expect(error).toBeInstanceOf(FrameTooLargeError);
        const tooLarge = error as FrameTooLargeError;
        expect(tooLarge.limit).toBe(max);
        expect(tooLarge.length).toBeGreaterThan(max);
        expect(reference.tooLarge).toBe(true);
        // Failed for good: the next push throws the same error.
        expect(() => [...decoder.push(Buffer.from([1]))]).toThrow(tooLarge);
      }),
      { numRuns: 500 },
    );
  });

  it('(b) decodeMessage on every yielded frame returns a message or undefined, or throws MalformedPayloadError', () => {
    fc.assert(
      fc.property(fc.array(rawFrameArb, { maxLength: 10 }), cutsArb, (raw, cuts) => {
        const stream = Buffer.concat(raw.map((f) => encodeFrame(f.type, f.payload)));
        const frames = feed(new FrameDecoder(), chunkAt(stream, cuts));
        expect(frames).toHaveLength(raw.length);
        for (const frame of frames) {
          try {
            const message = decodeMessage(frame);
            if (message !== undefined) expect(message.type).toBe(frame.type);
          } catch (err) {
            expect(err).toBeInstanceOf(MalformedPayloadError);
            expect((err as MalformedPayloadError).messageType).toBe(frame.type);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('(b) holds for frames cut out of pure noise too', () => {
    fc.assert(
      fc.property(hostileBytesArb, cutsArb, (bytes, cuts) => {
        const { frames } = feedChecked(new FrameDecoder({ maxPayload: 96 }), chunkAt(bytes, cuts));
        for (const frame of frames) {
          try {
            decodeMessage(frame);
          } catch (err) {
            expect(err).toBeInstanceOf(MalformedPayloadError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** One decoder's run over chunks: the frames (payload copied) and how it ended. */
interface Run {
  frames: { type: number; payload: string }[];
  error?: unknown;
  buffered: number;
}

function runCursor(max: number, chunks: readonly Buffer[]): Run {
  const decoder = new FrameDecoder({ maxPayload: max });
  const frames: Run['frames'] = [];
  try {
    for (const chunk of chunks) {
      decoder.write(chunk);
      while (decoder.next()) {
        const { buffer, start, end } = decoder;
        // The whole frame sits in the buffer, header included, whichever path made it.
        expect(buffer[start - 4]).toBe(decoder.type);
        expect(buffer.readUIntBE(start - 3, 3)).toBe(end - start);
        frames.push({ type: decoder.type, payload: buffer.toString('hex', start, end) });
      }
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(max + 4);
    }
  } catch (error) {
    return { frames, error, buffered: decoder.bufferedBytes };
  }
  return { frames, buffered: decoder.bufferedBytes };
}

function runPush(max: number, chunks: readonly Buffer[]): Run {
  const decoder = new FrameDecoder({ maxPayload: max });
  const frames: Run['frames'] = [];
  try {
    for (const chunk of chunks) {
      for (const frame of decoder.push(chunk)) {
        frames.push({ type: frame.type, payload: frame.payload.toString('hex') });
      }
    }
  } catch (error) {
    return { frames, error, buffered: decoder.bufferedBytes };
  }
  return { frames, buffered: decoder.bufferedBytes };
}

describe('FrameDecoder cursor and push() agree', () => {
  it('(e) the same frames, the same error and the same leftover, however the bytes are cut', () => {
    fc.assert(
      fc.property(hostileBytesArb, cutsArb, cutsArb, smallLimitArb, (bytes, cutsA, cutsB, max) => {
        const cursor = runCursor(max, chunkAt(bytes, cutsA));
        const push = runPush(max, chunkAt(bytes, cutsB));
        expect(cursor.frames).toEqual(push.frames);
        expect(cursor.buffered).toBe(push.buffered);
        if (push.error === undefined) {
          expect(cursor.error).toBeUndefined();
        } else {
          expect(cursor.error).toBeInstanceOf(FrameTooLargeError);
          expect(cursor.error).toMatchObject({
            length: (push.error as FrameTooLargeError).length,
            limit: max,
          });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('codec round trips', () => {
  it('(c) any valid message survives encode -> random chunking -> decode unchanged', () => {
    fc.assert(
      fc.property(messageArb, cutsArb, (message, cuts) => {
        const encoded = encodeMessage(message);
        const frames = feed(new FrameDecoder(), chunkAt(encoded, cuts));
        expect(frames).toHaveLength(1);
        expect(decodeMessage(frames[0]!)).toStrictEqual(message);
      }),
      { numRuns: 1000 },
    );
  });

  it('(d) N concatenated frames, re-chunked at random, decode to the same N frames in order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            messageArb.map(encodeMessage),
            rawFrameArb.map((f) => encodeFrame(f.type, f.payload)),
          ),
          {
            maxLength: 30,
          },
        ),
        cutsArb,
        (encoded, cuts) => {
          const decoder = new FrameDecoder();
          const frames = feed(decoder, chunkAt(Buffer.concat(encoded), cuts));
          expect(frames).toEqual(encoded.map((e) => ({ type: e[0]!, payload: e.subarray(4) })));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('(d) decoded messages come out in order as the same messages', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 20 }), cutsArb, (messages, cuts) => {
        const stream = Buffer.concat(messages.map(encodeMessage));
        const frames = feed(new FrameDecoder(), chunkAt(stream, cuts));
        expect(frames.map(decodeMessage)).toStrictEqual(messages);
      }),
      { numRuns: 200 },
    );
  });
});
