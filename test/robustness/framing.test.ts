// Hostile and odd framing over real sockets. Every test ends with the bystanders still
// chatting and the server back to its baseline of connections.
import { describe, expect, it } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { serve, T } from '../server/harness.js';
import { bystanders, logged, stillServing } from './helpers.js';

const NO_ROOM = JSON.stringify('room ID does not exist');

describe('oversize and truncated frames', () => {
  it('a header announcing 16 MiB, then a stall: closed at the header, nothing buffered', async () => {
    // A registration timeout far away: only the header check can close it in time.
    const h = await serve({ registrationTimeout: 60_000 });
    const b = await bystanders(h);
    const stalled = await h.connect();
    stalled.sendBytes(Buffer.from([T.Data, 0xff, 0xff, 0xff]));
    const streaming = await h.user('streamer');
    streaming.sendBytes(Buffer.from([T.Data, 0xff, 0xff, 0xff]));
    streaming.sendBytes(Buffer.alloc(1024 * 1024, 0x61)); // keeps sending what was announced
    await Promise.all([stalled.closed, streaming.closed]);
    expect(logged(h, 'frame over maxPayload', 'announced=16777215')).toHaveLength(2);
    await stillServing(h, b);
    expect(await b.sender.setName('streamer')).toBe('0'); // its name was freed
  });

  it('a header, part of the payload, then FIN: the user is released', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const quitter = await h.member('quitter', 'ok');
    quitter.sendBytes(encodeData('ok', 'x'.repeat(1000)).subarray(0, 20));
    await quitter.close();
    await stillServing(h, b);
    expect(await b.sender.userList('ok')).toEqual(['ok1', 'ok2']);
  });

  it('a payload of exactly maxPayload is relayed; one byte more closes that connection', async () => {
    const maxPayload = 4096;
    const h = await serve({ maxPayload });
    const b = await bystanders(h);
    const big = await h.member('big', 'ok');
    const room = Buffer.from([2, 0x6f, 0x6b]); // "ok"
    const text = Buffer.alloc(maxPayload - room.length, 0x7a);
    big.sendBytes(encodeFrame(T.Data, Buffer.concat([room, text])));
    for (const bystander of [b.sender, b.receiver]) {
      expect((await bystander.expect(T.Data)).payload.length).toBe(maxPayload);
    }
    big.sendBytes(encodeFrame(T.Data, Buffer.concat([room, text, Buffer.from('!')])));
    await big.closed;
    expect(logged(h, 'frame over maxPayload', `announced=${maxPayload + 1}`)).toHaveLength(1);
    await b.sender.expectNothing(); // the oversize frame reached no one
    await stillServing(h, b);
  });
});

describe('segmentation', () => {
  it('a whole session one byte per TCP segment works like any other', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const c = await h.connect();
    const session = Buffer.concat([
      encodeFrame(T.SetUserName, 'drip'),
      encodeFrame(T.JoinRoom, 'ok'),
      encodeData('ok', 'one byte at a time'),
      encodeFrame(T.GetUserList, 'ok'),
      encodeFrame(T.QuitRoom, 'ok'),
    ]);
    for (const byte of session) await c.sendFlushed(Buffer.from([byte]));
    expect(await c.expectText(T.SetUserNameResponse)).toBe('0');
    expect(await c.expectText(T.JoinRoomResponse)).toBe('ok:0');
    expect((await b.receiver.expect(T.Data)).payload.toString()).toContain('one byte at a time');
    expect((await b.sender.expect(T.Data)).payload.toString()).toContain('one byte at a time');
    expect(await c.expectText(T.GetUserListResponse)).toBe('ok:["ok1","ok2","drip"]');
    expect(await c.expectText(T.QuitRoomResponse)).toBe('ok:0');
    await c.close();
    await stillServing(h, b);
  });

  it('100 frames in one write: 100 answers and relays, in order', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const c = await h.member('burst', 'ok');
    const frames: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      frames.push(encodeFrame(T.GetUserList, `q${i}`), encodeData('ok', `m${i}`));
    }
    c.sendBytes(Buffer.concat(frames));
    for (let i = 0; i < 50; i++) {
      expect(await c.expectText(T.GetUserListResponse)).toBe(`q${i}:${NO_ROOM}`);
      expect((await b.receiver.expect(T.Data)).payload.toString()).toBe(`\u0002okm${i}`);
    }
    await c.expectNothing();
    await c.close();
    await stillServing(h, b);
  });
});

describe('types and payloads the server must shrug off', () => {
  const undefinedTypes = [0];
  for (let t = 14; t <= 127; t++) undefinedTypes.push(t);
  for (let t = 134; t <= 255; t++) undefinedTypes.push(t);

  it('every undefined type byte, empty and with a payload, is skipped; the connection stays', async () => {
    const h = await serve({ frameBurst: 1000 });
    const b = await bystanders(h);
    const c = await h.member('junk', 'ok');
    const frames = undefinedTypes.flatMap((t) => [
      encodeFrame(t),
      encodeFrame(t, Buffer.from([t, 0, 1, 2, 0xff])),
    ]);
    c.sendBytes(Buffer.concat(frames));
    await c.expectNothing();
    await b.receiver.expectNothing();
    c.data('ok', 'after the junk');
    expect((await b.receiver.expect(T.Data)).payload.toString()).toContain('after the junk');
    await c.close();
    await stillServing(h, b);
  });

  it('a zero-length frame of each of the 256 types gets exactly its defined answer', async () => {
    const h = await serve({ frameBurst: 1000 });
    const b = await bystanders(h);
    const c = await h.member('empty', 'ok');
    await c.hello(['rooms']);
    const all = Buffer.concat(Array.from({ length: 256 }, (_, t) => encodeFrame(t)));
    c.sendBytes(all);
    // Only the commands answer; an empty name or room ID is invalid, never fatal.
    expect(await c.expectText(T.SetUserNameResponse)).toBe('1');
    expect(await c.expectText(T.CreateRoomResponse)).toBe(':1');
    expect(await c.expectText(T.JoinRoomResponse)).toBe(':1');
    expect(await c.expectText(T.GetUserListResponse)).toBe(`:${NO_ROOM}`);
    expect(await c.expectText(T.DestroyRoomResponse)).toBe(':1');
    expect(await c.expectText(T.QuitRoomResponse)).toBe(':1');
    // Empty Data and empty Hello are malformed (dropped); ListRooms is empty by definition.
    expect(JSON.parse(await c.expectText(T.RoomList))).toEqual([{ room: 'ok', members: 3 }]);
    await c.expectNothing();
    await b.receiver.expectNothing();
    expect(logged(h, 'malformed Data dropped')).toHaveLength(1);
    expect(logged(h, 'malformed Hello dropped')).toHaveLength(1);
    expect(await c.userList('ok')).toEqual(['ok1', 'ok2', 'empty']);
    await c.close();
    await stillServing(h, b);
  });

  it('malformed Data room lengths are dropped; a good one right after is relayed', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const c = await h.member('bad', 'ok');
    const bad = [
      Buffer.from([3, 0x6f, 0x6b]), // 3 room bytes announced, 2 present
      Buffer.from([255]), // 255 announced, none present
      Buffer.from([255, 0x6f, 0x6b, ...Buffer.alloc(100, 0x61)]), // still short
      Buffer.from([0, 0x68, 0x69]), // an empty room ID: no such room
      Buffer.from([2, 0x6f, 0xff, 0x68]), // invalid UTF-8 in the room ID: no such room
      Buffer.from([1, 0x6f]), // room "o", which does not exist
    ];
    for (const payload of bad) c.sendBytes(encodeFrame(T.Data, payload));
    c.sendBytes(encodeFrame(T.Data, Buffer.from([2, 0x6f, 0x6b]))); // "ok", empty text: valid
    const relayed = await b.receiver.expect(T.Data);
    expect([...relayed.payload]).toEqual([2, 0x6f, 0x6b]);
    await b.receiver.expectNothing();
    await c.expectNothing();
    expect(logged(h, 'malformed Data dropped')).toHaveLength(3);
    await c.close();
    await stillServing(h, b);
  });
});
