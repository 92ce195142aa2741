import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, MalformedPayloadError } from '../../src/errors.js';
import {
  decodeMessage,
  encodeData,
  encodeDataFrom,
  encodeFrame,
  encodeMessage,
  MAX_WIRE_PAYLOAD,
  splitData,
  writeHeader,
} from '../../src/protocol/index.js';
import { hex } from './helpers.js';

describe('frame header', () => {
  it('writes the length as 24-bit big-endian, all three bytes', () => {
    const frame = encodeFrame(13, Buffer.alloc(0x012345, 0x61));
    expect(frame.subarray(0, 4)).toEqual(hex('0d 012345'));
    expect(frame.length).toBe(4 + 0x012345);
  });

  it('writes an empty frame as just the header', () => {
    expect(encodeFrame(132)).toEqual(hex('84 000000'));
    expect(encodeFrame(132, '')).toEqual(hex('84 000000'));
    expect(encodeFrame(132, new Uint8Array(0))).toEqual(hex('84 000000'));
  });

  it('counts UTF-8 bytes, not UTF-16 units, for string payloads', () => {
    expect(encodeFrame(1, '😀')).toEqual(hex('01 000004 f09f9880'));
  });

  it('writes the wire maximum and refuses one byte more', () => {
    const target = Buffer.alloc(4);
    writeHeader(target, 0, 13, MAX_WIRE_PAYLOAD);
    expect(target).toEqual(hex('0d ffffff'));
    expect(() => writeHeader(target, 0, 13, MAX_WIRE_PAYLOAD + 1)).toThrow(FrameTooLargeError);
  });

  it('writes at an offset without touching the bytes around it', () => {
    const target = Buffer.alloc(8, 0xee);
    writeHeader(target, 2, 7, 0x0102);
    expect(target).toEqual(hex('eeee 07 000102 eeee'));
  });
});

describe('Data and DataFrom', () => {
  it('encodes text given as bytes the same as text given as a string', () => {
    const text = 'héllo 👋';
    expect(encodeData('r1', Buffer.from(text))).toEqual(encodeData('r1', text));
    expect(encodeDataFrom('r1', 'bob', Buffer.from(text))).toEqual(
      encodeDataFrom('r1', 'bob', text),
    );
  });

  it('accepts a 255-byte room ID, the most one length byte can say', () => {
    const room = `${'é'.repeat(127)}x`;
    const frame = encodeData(room, 'hi');
    expect(frame[4]).toBe(255);
    expect(decodeMessage({ type: 13, payload: frame.subarray(4) })).toEqual({
      type: 13,
      room,
      text: 'hi',
    });
  });

  it('refuses a room ID or sender longer than 255 bytes with MalformedPayloadError', () => {
    const long = 'x'.repeat(256);
    expect(() => encodeData(long, 'hi')).toThrow(MalformedPayloadError);
    expect(() => encodeDataFrom(long, 'bob', 'hi')).toThrow(MalformedPayloadError);
    expect(() => encodeDataFrom('r1', long, 'hi')).toThrow(MalformedPayloadError);
    expect(() => encodeMessage({ type: 13, room: long, text: '' })).toThrow(MalformedPayloadError);
  });

  it('splitData returns the text as a view of the payload, not a copy', () => {
    const payload = hex('02 7231 6869');
    const { room, text } = splitData(payload);
    expect(room).toBe('r1');
    expect(text.toString()).toBe('hi');
    expect(text.buffer).toBe(payload.buffer);
    expect(text.byteOffset).toBe(payload.byteOffset + 3);
  });

  it('splitData allows empty text and a zero-length room', () => {
    expect(splitData(hex('02 7231'))).toEqual({ room: 'r1', text: Buffer.alloc(0) });
    expect(splitData(hex('00 6869'))).toEqual({ room: '', text: Buffer.from('hi') });
  });
});

describe('encodeMessage', () => {
  it('returns one buffer holding exactly one frame', () => {
    const frame = encodeMessage({ type: 4, room: 'happyroom001', ok: true });
    expect(frame.readUIntBE(1, 3)).toBe(frame.length - 4);
    expect(frame.subarray(4).toString()).toBe('happyroom001:0');
  });

  it('leaves the message type out of the Presence JSON', () => {
    const frame = encodeMessage({ type: 131, room: 'r', event: 'leave', user: 'u' });
    expect(JSON.parse(frame.subarray(4).toString())).toStrictEqual({
      room: 'r',
      event: 'leave',
      user: 'u',
    });
  });
});
