import { describe, expect, it } from 'vitest';
import { ErrorCode, MalformedPayloadError } from '../../src/errors.js';
import { decodeMessage, splitData } from '../../src/protocol/index.js';
import { hex } from './helpers.js';

function frame(type: number, payload: string | Buffer) {
  return { type, payload: typeof payload === 'string' ? Buffer.from(payload) : payload };
}

/** Decodes and returns the MalformedPayloadError it must throw (any other outcome fails). */
function malformed(type: number, payload: string | Buffer): MalformedPayloadError {
  let caught: unknown;
  try {
    const result = decodeMessage(frame(type, payload));
    throw new Error(`expected MalformedPayloadError, got ${JSON.stringify(result)}`);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MalformedPayloadError);
  const err = caught as MalformedPayloadError;
  expect(err.code).toBe(ErrorCode.MalformedPayload);
  expect(err.messageType).toBe(type);
  expect(err.message).toContain(`type ${type}`);
  return err;
}

describe('decodeMessage: malformed payloads throw MalformedPayloadError', () => {
  const cases: [string, number, string | Buffer][] = [
    // Data (13)
    ['Data: empty payload', 13, Buffer.alloc(0)],
    ['Data: room length past the payload', 13, hex('05 7231')],
    ['Data: room length one byte past the payload', 13, hex('03 7231')],
    ['Data: room length 255 with nothing after it', 13, hex('ff')],
    // SetUserName Response (2): exactly one byte, '0' or '1'
    ['SetUserNameResponse: empty', 2, ''],
    ['SetUserNameResponse: two bytes', 2, '00'],
    ['SetUserNameResponse: wrong byte', 2, '2'],
    ['SetUserNameResponse: binary 0', 2, hex('00')],
    // Room result responses (4, 6, 10, 12)
    ['CreateRoomResponse: result 2', 4, 'room:2'],
    ['JoinRoomResponse: empty result', 6, 'room:'],
    ['DestroyRoomResponse: no colon', 10, 'room0'],
    ['QuitRoomResponse: two result chars', 12, 'room:00'],
    ['QuitRoomResponse: empty payload', 12, ''],
    // GetUserList Response (8)
    ['GetUserListResponse: no colon', 8, '["a"]'],
    ['GetUserListResponse: bad JSON', 8, 'r1:[alice'],
    ['GetUserListResponse: empty JSON', 8, 'r1:'],
    ['GetUserListResponse: JSON number', 8, 'r1:42'],
    ['GetUserListResponse: JSON object', 8, 'r1:{"users":[]}'],
    ['GetUserListResponse: array with a non-string', 8, 'r1:["a",1]'],
    ['GetUserListResponse: null', 8, 'r1:null'],
    // DataFrom (130)
    ['DataFrom: empty', 130, Buffer.alloc(0)],
    ['DataFrom: room only, no sender length', 130, hex('02 7231')],
    ['DataFrom: room length past the payload', 130, hex('09 7231')],
    ['DataFrom: sender truncated', 130, hex('02 7231 05 626f')],
    ['DataFrom: sender one byte short', 130, hex('02 7231 03 626f')],
    // Presence (131)
    ['Presence: unknown event', 131, '{"room":"r","event":"explode","user":"bob"}'],
    ['Presence: missing event', 131, '{"room":"r","user":"bob"}'],
    ['Presence: rename without old', 131, '{"room":"r","event":"rename","user":"bob"}'],
    ['Presence: user not a string', 131, '{"room":"r","event":"join","user":7}'],
    ['Presence: not JSON', 131, '{room'],
    ['Presence: an array', 131, '[]'],
    // RoomList (133)
    ['RoomList: not JSON', 133, '[{'],
    ['RoomList: an object', 133, '{"room":"a","members":1}'],
    ['RoomList: members as string', 133, '[{"room":"a","members":"1"}]'],
    ['RoomList: missing room', 133, '[{"members":1}]'],
    ['RoomList: null entry', 133, '[null]'],
    ['RoomList: empty payload', 133, ''],
    // Hello / Welcome (128, 129)
    ['Hello: not an object (array)', 128, '[1]'],
    ['Hello: not an object (string)', 128, '"hi"'],
    ['Hello: null', 128, 'null'],
    ['Hello: not JSON', 128, 'hello'],
    ['Hello: v missing', 128, '{"want":[]}'],
    ['Hello: want not strings', 128, '{"v":1,"want":[1]}'],
    ['Welcome: ext missing', 129, '{"v":1}'],
    ['Welcome: not an object', 129, '1'],
  ];

  it.each(cases)('%s', (_name, type, payload) => {
    malformed(type, payload);
  });

  it('keeps the JSON parse error as the cause', () => {
    const err = malformed(8, 'r1:[alice');
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('splitData reports a room length past the payload the same way', () => {
    expect(() => splitData(hex('05 7231'))).toThrow(MalformedPayloadError);
    expect(() => splitData(Buffer.alloc(0))).toThrow(MalformedPayloadError);
  });
});

describe('decodeMessage: lenient where the spec allows', () => {
  it('returns undefined for unknown types', () => {
    for (const type of [0, 14, 127, 134, 200, 255]) {
      expect(decodeMessage(frame(type, 'anything'))).toBeUndefined();
      expect(decodeMessage(frame(type, Buffer.alloc(0)))).toBeUndefined();
    }
  });

  it('splits GetUserList Response at the first colon', () => {
    expect(decodeMessage(frame(8, 'r1:["a:b"]'))).toEqual({
      type: 8,
      room: 'r1',
      ok: true,
      users: ['a:b'],
    });
  });

  it('treats a missing want in Hello as none', () => {
    expect(decodeMessage(frame(128, '{"v":1}'))).toEqual({ type: 128, v: 1, want: [] });
  });

  it('drops unknown keys from extension JSON', () => {
    const presence = '{"room":"r","event":"join","user":"u","extra":true}';
    expect(decodeMessage(frame(131, presence))).toStrictEqual({
      type: 131,
      room: 'r',
      event: 'join',
      user: 'u',
    });
    const rooms = '[{"room":"a","members":1,"owner":"x"}]';
    expect(decodeMessage(frame(133, rooms))).toStrictEqual({
      type: 133,
      rooms: [{ room: 'a', members: 1 }],
    });
  });

  it('decodes Data text that is not valid UTF-8 with replacement characters, not an error', () => {
    expect(decodeMessage(frame(13, hex('01 72 ff')))).toEqual({
      type: 13,
      room: 'r',
      text: '\uFFFD',
    });
  });
});
