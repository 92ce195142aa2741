// The negotiated extensions of extensions.md: Hello/Welcome, DataFrom, Presence, RoomList.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeData, encodeFrame } from '../../src/protocol/codec.js';
import type { Frame } from '../../src/protocol/types.js';
import type { RawClient } from '../helpers/raw-client.js';
import { parseData, serve, T } from './harness.js';

const ALL = ['sender', 'presence', 'rooms'];

async function presence(c: RawClient): Promise<unknown> {
  const { type: _, ...event } = decodeMessage(await c.expect(T.Presence)) as { type: number };
  return event;
}

describe('negotiation', () => {
  it('Welcome grants the known subset of want; a later Hello replaces the set', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    expect(await b.hello(['rooms', 'bogus', 'sender', 'presence'])).toEqual(ALL);
    a.data('r', 'one');
    expect((await b.next()).type).toBe(T.DataFrom);
    expect(await b.hello(['presence'])).toEqual(['presence']);
    a.data('r', 'two');
    expect(parseData((await b.expect(T.Data)).payload).text).toBe('two');
    b.send(T.ListRooms);
    await b.expectNothing(); // rooms no longer granted
    expect(await b.hello([])).toEqual([]);
  });

  it('answers Hello in order with the other responses', async () => {
    const h = await serve();
    const c = await h.connect();
    c.sendBytes(
      Buffer.concat([
        encodeFrame(T.SetUserName, 'a'),
        encodeFrame(T.CreateRoom, 'r'),
        encodeFrame(T.Hello, JSON.stringify({ v: 1, want: ['rooms'] })),
        encodeFrame(T.ListRooms),
        encodeFrame(T.QuitRoom, 'r'),
      ]),
    );
    expect((await c.next()).type).toBe(T.SetUserNameResponse);
    expect((await c.next()).type).toBe(T.CreateRoomResponse);
    expect(JSON.parse((await c.expect(T.Welcome)).payload.toString())).toEqual({
      v: 1,
      ext: ['rooms'],
    });
    expect((await c.next()).type).toBe(T.RoomList);
    expect((await c.next()).type).toBe(T.QuitRoomResponse);
  });

  it('ignores Hello before SetUserName', async () => {
    const h = await serve();
    const c = await h.connect();
    c.send(T.Hello, JSON.stringify({ v: 1, want: ALL }));
    await c.expectNothing();
    await c.register('late');
    await c.expectNothing();
    expect(await c.hello(ALL)).toEqual(ALL);
  });

  it('with extensions: false, ignores Hello and ListRooms like unknown types', async () => {
    const h = await serve({ extensions: false });
    const c = await h.user('strict');
    c.send(T.Hello, JSON.stringify({ v: 1, want: ALL }));
    c.send(T.ListRooms);
    await c.expectNothing();
  });

  it('drops a malformed Hello and logs it', async () => {
    const h = await serve();
    const c = await h.user('a');
    c.send(T.Hello, '{not json');
    c.send(T.Hello, '[1,2]');
    await c.expectNothing();
    expect(h.logs.filter((l) => l.includes('malformed Hello'))).toHaveLength(2);
  });
});

describe('sender', () => {
  it('sends DataFrom with the sender to granted members and Data to strict ones', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const ext = await h.member('ext', 'r');
    const strict = await h.member('strict', 'r');
    await ext.hello(['sender']);
    alice.data('r', 'hi 👋');
    expect(decodeMessage(await ext.expect(T.DataFrom))).toEqual({
      type: T.DataFrom,
      room: 'r',
      sender: 'alice',
      text: 'hi 👋',
    });
    expect(parseData((await strict.expect(T.Data)).payload)).toEqual({ room: 'r', text: 'hi 👋' });
    await alice.expectNothing();
  });

  it('falls back to Data when the DataFrom form would pass maxPayload', async () => {
    const h = await serve({ maxPayload: 1024 });
    const alice = await h.owner('a'.repeat(20), 'r');
    const ext = await h.member('ext', 'r');
    await ext.hello(['sender']);
    const full = encodeData('r', 'x'.repeat(1024 - 2));
    alice.sendBytes(full);
    const frame = await ext.expect(T.Data);
    expect(frame.payload.length).toBe(1024);
    alice.data('r', 'small');
    expect(decodeMessage(await ext.expect(T.DataFrom))).toMatchObject({ text: 'small' });
  });
});

describe('presence', () => {
  it('reports join, leave (quit and disconnect), rename and destroy, never to the actor', async () => {
    const h = await serve();
    const owner = await h.owner('owner', 'r');
    await owner.hello(['presence']);
    const watcher = await h.member('watcher', 'r');
    expect(await presence(owner)).toEqual({ room: 'r', event: 'join', user: 'watcher' });
    await watcher.hello(['presence']);

    const bob = await h.member('bob', 'r');
    await bob.hello(['presence']);
    for (const c of [owner, watcher]) {
      expect(await presence(c)).toEqual({ room: 'r', event: 'join', user: 'bob' });
    }
    expect(await bob.setName('robert')).toBe('0');
    for (const c of [owner, watcher]) {
      expect(await presence(c)).toEqual({ room: 'r', event: 'rename', user: 'robert', old: 'bob' });
    }
    expect(await bob.command(T.QuitRoom, 'r')).toBe('r:0');
    for (const c of [owner, watcher]) {
      expect(await presence(c)).toEqual({ room: 'r', event: 'leave', user: 'robert' });
    }
    await bob.expectNothing(); // the actor hears nothing of its own actions

    const carol = await h.member('carol', 'r');
    for (const c of [owner, watcher]) await presence(c);
    await carol.close();
    for (const c of [owner, watcher]) {
      expect(await presence(c)).toEqual({ room: 'r', event: 'leave', user: 'carol' });
    }

    expect(await owner.command(T.DestroyRoom, 'r')).toBe('r:0');
    expect(await presence(watcher)).toEqual({ room: 'r', event: 'destroy', user: 'owner' });
    await owner.expectNothing();
    await watcher.expectNothing();
  });

  it("a user's join Presence arrives before the first Data it sends", async () => {
    const h = await serve();
    const watcher = await h.owner('watcher', 'r');
    await watcher.hello(['presence', 'sender']);
    const newcomer = await h.user('newcomer');
    newcomer.sendBytes(Buffer.concat([encodeFrame(T.JoinRoom, 'r'), encodeData('r', 'first!')]));
    expect(await presence(watcher)).toEqual({ room: 'r', event: 'join', user: 'newcomer' });
    expect(decodeMessage(await watcher.expect(T.DataFrom))).toMatchObject({
      sender: 'newcomer',
      text: 'first!',
    });
  });

  it('a no-op (joining twice, renaming to the same name) sends no Presence', async () => {
    const h = await serve();
    const watcher = await h.owner('watcher', 'r');
    await watcher.hello(['presence']);
    const b = await h.member('b', 'r');
    await presence(watcher);
    expect(await b.command(T.JoinRoom, 'r')).toBe('r:0');
    expect(await b.setName('b')).toBe('0');
    await watcher.expectNothing();
  });
});

describe('rooms', () => {
  it('RoomList lists every room sorted by ID with member counts', async () => {
    const h = await serve();
    const c = await h.owner('c', 'zeta');
    await c.command(T.CreateRoom, 'Alpha');
    await c.command(T.CreateRoom, 'alpha');
    await h.member('d', 'zeta');
    await c.hello(['rooms']);
    c.send(T.ListRooms);
    expect(decodeMessage(await c.expect(T.RoomList))).toEqual({
      type: T.RoomList,
      rooms: [
        { room: 'Alpha', members: 1 },
        { room: 'alpha', members: 1 },
        { room: 'zeta', members: 2 },
      ],
    });
  });

  it('truncates a RoomList that would pass maxPayload, keeping ID order, and logs it', async () => {
    const h = await serve({ maxPayload: 1024 });
    const c = await h.user('c');
    for (let i = 0; i < 40; i++)
      await c.command(T.CreateRoom, `room-${String(i).padStart(14, '0')}`);
    await c.hello(['rooms']);
    c.send(T.ListRooms);
    const frame = await c.expect(T.RoomList);
    expect(frame.payload.length).toBeLessThanOrEqual(1024);
    const { rooms } = decodeMessage(frame) as { rooms: { room: string }[] };
    expect(rooms.length).toBeGreaterThan(10);
    expect(rooms.length).toBeLessThan(40);
    expect(rooms.map((r) => r.room)).toEqual([...rooms.map((r) => r.room)].sort());
    expect(h.logs.some((l) => l.includes('RoomList truncated'))).toBe(true);
  });
});

describe('strict clients', () => {
  it('never see a type >= 128, whatever extended members do', async () => {
    const h = await serve();
    const strict = await h.owner('strict', 'r');
    const ext = await h.member('ext', 'r');
    await ext.hello(ALL);
    const other = await h.member('other', 'r');
    await other.hello(ALL);
    expect(await presence(ext)).toMatchObject({ event: 'join', user: 'other' });
    await ext.setName('ext2');
    ext.data('r', 'hello');
    ext.send(T.ListRooms);
    other.send(T.QuitRoom, 'r');
    expect((await other.nextOfType(T.QuitRoomResponse)).payload.toString()).toBe('r:0');
    await other.close();
    const seen: Frame[] = [];
    for (;;) {
      const frame = await strict.next();
      seen.push(frame);
      if (frame.type === T.Data) break;
    }
    await strict.expectNothing();
    expect(seen.every((f) => f.type < 128)).toBe(true);
    expect(await strict.command(T.DestroyRoom, 'r')).toBe('r:0');
    await strict.expectNothing();
  });
});
