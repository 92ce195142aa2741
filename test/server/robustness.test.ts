// Framing edge cases and bad input: split and pipelined frames, unknown types,
// malformed payloads, oversize headers. Each must leave other connections unaffected.
import { describe, expect, it } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { RawClient, text } from '../helpers/raw-client.js';
import { membersOnceSettled, parseData, serve, T } from './harness.js';

/** A whole session's client bytes: register, create, join, list, send, quit. */
function sessionBytes(name: string): Buffer {
  return Buffer.concat([
    encodeFrame(T.SetUserName, name),
    encodeFrame(T.CreateRoom, 'r'),
    encodeFrame(T.JoinRoom, 'r'),
    encodeFrame(T.GetUserList, 'r'),
    encodeData('r', 'héllo'),
    encodeFrame(T.QuitRoom, 'r'),
  ]);
}

async function expectSessionResponses(c: RawClient, name: string): Promise<void> {
  expect(await c.expectText(T.SetUserNameResponse)).toBe('0');
  expect(await c.expectText(T.CreateRoomResponse)).toBe('r:0');
  expect(await c.expectText(T.JoinRoomResponse)).toBe('r:0');
  expect(await c.expectText(T.GetUserListResponse)).toBe(`r:["${name}"]`);
  expect(await c.expectText(T.QuitRoomResponse)).toBe('r:0');
  await c.expectNothing();
}

describe('framing', () => {
  it('answers pipelined commands sent in one write, in order', async () => {
    const h = await serve();
    const c = await h.connect();
    c.sendBytes(sessionBytes('piper'));
    await expectSessionResponses(c, 'piper');
  });

  it('handles a whole session fed one byte per TCP write', async () => {
    const h = await serve();
    const watcher = await h.user('watcher');
    const c = await h.connect();
    for (const byte of sessionBytes('slowpoke')) {
      await c.sendFlushed(Buffer.from([byte]));
    }
    await expectSessionResponses(c, 'slowpoke');
    await watcher.expectNothing();
  });

  it('handles a session fed one byte per chunk over the in-memory transport', async () => {
    const h = await serve();
    const c = new RawClient(h.running.server.connectMemory());
    for (const byte of sessionBytes('memo')) c.sendBytes(Buffer.from([byte]));
    await expectSessionResponses(c, 'memo');
    await c.close();
  });

  it('relays a Data frame split across writes to a member intact', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    const frame = encodeData('r', 'x'.repeat(5000));
    for (const piece of [frame.subarray(0, 3), frame.subarray(3, 2000), frame.subarray(2000)]) {
      await a.sendFlushed(piece);
    }
    expect(parseData((await b.expect(T.Data)).payload).text).toBe('x'.repeat(5000));
  });
});

describe('ignored and malformed input', () => {
  it('ignores unknown types (0, 14, 127, 255, ...) and response types, keeping the connection', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    for (const type of [0, 14, 127, 129, 130, 131, 133, 134, 200, 255]) {
      a.send(type, 'junk payload');
      a.send(type);
    }
    for (const type of [2, 4, 6, 8, 10, 12]) a.send(type, 'r:0');
    await a.expectNothing();
    // Still registered, still a member, still relaying.
    expect(await a.userList('r')).toEqual(['a', 'b']);
    a.data('r', 'after junk');
    expect(parseData((await b.expect(T.Data)).payload).text).toBe('after junk');
    await b.expectNothing();
  });

  it('ignores junk before SetUserName too', async () => {
    const h = await serve();
    const c = await h.connect();
    c.send(255, 'x');
    c.send(T.SetUserNameResponse, '0');
    expect(await c.setName('fine')).toBe('0');
  });

  it('drops a malformed Data (room length past the payload), logs it, others unaffected', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    a.send(T.Data, Buffer.from([5, 0x72, 0x78])); // says 5 room bytes, has 2
    a.send(T.Data, Buffer.alloc(0));
    a.send(T.Data, Buffer.from([200]));
    await a.expectNothing();
    a.data('r', 'good');
    expect(parseData((await b.expect(T.Data)).payload).text).toBe('good');
    await b.expectNothing();
    expect(h.logs.filter((l) => l.includes('malformed Data dropped'))).toHaveLength(3);
  });

  it('closes a connection whose header announces 16 MiB at once, without buffering it', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    const big = await h.member('big', 'r');
    // Only the header and a few bytes: a server waiting for the payload would never close.
    big.sendBytes(Buffer.from([T.Data, 0xff, 0xff, 0xff, 1, 0x72]));
    await big.closed;
    expect(h.logs.some((l) => l.includes('frame over maxPayload') && l.includes('16777215'))).toBe(
      true,
    );
    a.data('r', 'carry on');
    expect(parseData((await b.expect(T.Data)).payload).text).toBe('carry on');
    expect(await membersOnceSettled(a, 'r', ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('accepts a frame of exactly maxPayload and closes on maxPayload + 1', async () => {
    const h = await serve({ maxPayload: 2048 });
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    const exact = encodeFrame(T.Data, Buffer.concat([Buffer.from([1, 0x72]), Buffer.alloc(2046)]));
    a.sendBytes(exact);
    expect((await b.expect(T.Data)).payload.length).toBe(2048);
    b.sendBytes(Buffer.from([T.Data, 0, 0x08, 0x01]));
    await b.closed;
    await a.expectNothing();
  });

  it('survives a peer that resets mid-frame', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const c = await h.member('c', 'r');
    c.sendBytes(encodeData('r', 'partial').subarray(0, 7));
    c.socket.destroy();
    await c.closed;
    await a.expectNothing();
    const next = await h.connect();
    expect(await next.setName('z')).toBe('0');
    next.send(T.GetUserList, 'r');
    expect(text(await next.next())).toContain('no right');
  });
});
