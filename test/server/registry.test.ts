// InMemoryRegistry on its own, and the server over a registry whose every operation is
// asynchronous (what a shared store such as Redis would be).
import { describe, expect, it } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { InMemoryRegistry } from '../../src/server/memory-registry.js';
import type { Registry, RoomLimits } from '../../src/server/registry.js';
import { membersOnceSettled, parseData, serve, T } from './harness.js';

/** Caps high enough not to matter, unless a test lowers one. */
const L: RoomLimits = { maxRooms: 100, maxRoomsPerUser: 100, maxMembers: 100 };

describe('InMemoryRegistry', () => {
  it('keeps names unique and frees them on removal', () => {
    const r = new InMemoryRegistry();
    expect(r.addUser('a')).toBe(true);
    expect(r.addUser('a')).toBe(false);
    expect(r.removeUser('a')).toEqual([]);
    expect(r.addUser('a')).toBe(true);
  });

  it('users in no room share nothing: a first room belongs to its user alone, renamed or not', () => {
    const r = new InMemoryRegistry();
    for (const u of ['a', 'b', 'c']) r.addUser(u);
    r.createRoom('x', 'a', L);
    r.joinRoom('y', 'b', L); // missing: b stays in no room
    r.renameUser('c', 'd');
    r.createRoom('z', 'd', L);
    expect(r.removeUser('b')).toEqual([]);
    expect(r.removeUser('a')).toEqual([{ room: 'x', members: [] }]);
    expect(r.removeUser('d')).toEqual([{ room: 'z', members: [] }]);
    r.addUser('e');
    expect(r.joinRoom('x', 'e', { ...L, maxRoomsPerUser: 1 })).toMatchObject({ status: 'joined' });
    expect(r.joinRoom('z', 'e', { ...L, maxRoomsPerUser: 1 })).toEqual({ status: 'user-full' });
  });

  it('lists members in join order without duplicates; a full room refuses', () => {
    const r = new InMemoryRegistry();
    for (const u of ['c', 'a', 'b']) r.addUser(u);
    r.createRoom('x', 'c', L);
    expect(r.joinRoom('x', 'a', { ...L, maxMembers: 3 })).toEqual({
      status: 'joined',
      members: ['c', 'a'],
    });
    expect(r.joinRoom('x', 'a', { ...L, maxMembers: 3 })).toEqual({ status: 'already' });
    expect(r.joinRoom('x', 'b', { ...L, maxMembers: 2 })).toEqual({ status: 'full' });
    expect(r.joinRoom('nope', 'b', { ...L, maxMembers: 3 })).toEqual({ status: 'missing' });
    expect(r.members('x')).toEqual(['c', 'a']);
  });

  it('rename keeps the place in every room and the ownership; the old name is free', () => {
    const r = new InMemoryRegistry();
    for (const u of ['a', 'b']) r.addUser(u);
    r.createRoom('x', 'a', L);
    r.joinRoom('x', 'b', L);
    r.createRoom('y', 'b', L);
    r.joinRoom('y', 'a', L);
    expect(r.renameUser('a', 'b')).toEqual({ status: 'taken' });
    const renamed = r.renameUser('a', 'z');
    expect(renamed).toEqual({
      status: 'renamed',
      rooms: [
        { room: 'x', members: ['z', 'b'] },
        { room: 'y', members: ['b', 'z'] },
      ],
    });
    expect(r.addUser('a')).toBe(true);
    expect(r.destroyRoom('x', 'a')).toEqual({ status: 'not-owner' });
    expect(r.destroyRoom('x', 'z')).toEqual({ status: 'destroyed', removed: ['z', 'b'] });
    expect(r.membersIfMember('y', 'z')).toEqual(['b', 'z']);
  });

  it('removeUser leaves every room but rooms and ownership outlive the user', () => {
    const r = new InMemoryRegistry();
    for (const u of ['a', 'b']) r.addUser(u);
    r.createRoom('x', 'a', L);
    r.joinRoom('x', 'b', L);
    expect(r.removeUser('a')).toEqual([{ room: 'x', members: ['b'] }]);
    expect(r.membersIfMember('x', 'a')).toBeUndefined();
    r.quitRoom('x', 'b');
    expect(r.members('x')).toEqual([]);
    r.addUser('a');
    expect(r.destroyRoom('x', 'a')).toEqual({ status: 'destroyed', removed: [] });
    expect(r.createRoom('x', 'b', L)).toEqual({ status: 'created' });
  });

  it('createRoom and joinRoom respect maxRooms and maxRoomsPerUser', () => {
    const r = new InMemoryRegistry();
    for (const u of ['a', 'b']) r.addUser(u);
    const caps = { maxRooms: 3, maxRoomsPerUser: 2, maxMembers: 10 };
    expect(r.createRoom('x', 'a', caps)).toEqual({ status: 'created' });
    expect(r.createRoom('x', 'b', caps)).toEqual({ status: 'exists' });
    expect(r.createRoom('y', 'a', caps)).toEqual({ status: 'created' });
    expect(r.createRoom('z', 'a', caps)).toEqual({ status: 'user-full' });
    expect(r.createRoom('z', 'b', caps)).toEqual({ status: 'created' });
    expect(r.createRoom('w', 'b', caps)).toEqual({ status: 'too-many-rooms' });
    // 'exists' wins over the caps, and so does 'already' on a join.
    expect(r.createRoom('x', 'b', caps)).toEqual({ status: 'exists' });
    expect(r.joinRoom('x', 'a', caps)).toEqual({ status: 'already' });
    expect(r.joinRoom('x', 'b', caps)).toEqual({ status: 'joined', members: ['a', 'b'] });
    expect(r.joinRoom('y', 'b', caps)).toEqual({ status: 'user-full' });
    // Quitting, or a room being destroyed, frees a place.
    r.quitRoom('z', 'b');
    expect(r.joinRoom('y', 'b', caps)).toEqual({ status: 'joined', members: ['a', 'b'] });
    r.destroyRoom('y', 'a');
    expect(r.joinRoom('z', 'a', caps)).toEqual({ status: 'joined', members: ['a'] });
    expect(r.members('y')).toBeUndefined();
    expect(r.createRoom('v', 'b', caps)).toEqual({ status: 'created' });
  });

  it('quitRoom distinguishes missing rooms and non-members; listRooms sorts by ID', () => {
    const r = new InMemoryRegistry();
    for (const u of ['a', 'b']) r.addUser(u);
    r.createRoom('m', 'a', L);
    r.createRoom('B', 'a', L);
    r.createRoom('a', 'b', L);
    expect(r.quitRoom('m', 'b')).toEqual({ status: 'not-member' });
    expect(r.quitRoom('zz', 'b')).toEqual({ status: 'missing' });
    expect(r.quitRoom('m', 'a')).toEqual({ status: 'left', members: [] });
    expect(r.listRooms()).toEqual([
      { room: 'B', members: 1 },
      { room: 'a', members: 1 },
      { room: 'm', members: 0 },
    ]);
  });
});

/** Every operation answers on a later turn of the event loop, as a networked store would. */
function asyncRegistry(inner: Registry): Registry {
  const later =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<Awaited<R>> =>
      new Promise((resolve) => setImmediate(() => resolve(fn(...args) as Awaited<R>)));
  return {
    addUser: later((n) => inner.addUser(n)),
    renameUser: later((a, b) => inner.renameUser(a, b)),
    removeUser: later((n) => inner.removeUser(n)),
    createRoom: later((r, o, l) => inner.createRoom(r, o, l)),
    joinRoom: later((r, u, l) => inner.joinRoom(r, u, l)),
    quitRoom: later((r, u) => inner.quitRoom(r, u)),
    destroyRoom: later((r, u) => inner.destroyRoom(r, u)),
    members: later((r) => inner.members(r)),
    membersIfMember: later((r, u) => inner.membersIfMember(r, u)),
    listRooms: later(() => inner.listRooms()),
  };
}

describe('the server over an asynchronous registry', () => {
  it('keeps per-connection order across pipelined commands and relays', async () => {
    const h = await serve({ registry: asyncRegistry(new InMemoryRegistry()) });
    const watcher = await h.owner('watcher', 'r');
    await watcher.hello(['presence', 'sender', 'rooms']);
    const c = await h.connect();
    c.sendBytes(
      Buffer.concat([
        encodeFrame(T.SetUserName, 'watcher'),
        encodeFrame(T.SetUserName, 'piper'),
        encodeFrame(T.JoinRoom, 'r'),
        encodeData('r', 'one'),
        encodeData('r', 'two'),
        encodeFrame(T.SetUserName, 'pipes'),
        encodeFrame(T.GetUserList, 'r'),
        encodeFrame(T.QuitRoom, 'r'),
      ]),
    );
    for (const expected of ['1', '0', 'r:0', '0', 'r:["watcher","pipes"]', 'r:0']) {
      expect((await c.next()).payload.toString()).toBe(expected);
    }
    const events = [];
    for (let i = 0; i < 5; i++) {
      const f = await watcher.next();
      events.push(f.type === T.DataFrom ? 'data' : JSON.parse(f.payload.toString()).event);
    }
    expect(events).toEqual(['join', 'data', 'data', 'rename', 'leave']);
    await c.expectNothing();
  });

  it('releases a disconnected user, and relays to strict members', async () => {
    const h = await serve({ registry: asyncRegistry(new InMemoryRegistry()) });
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    b.data('r', 'bye');
    expect(parseData((await a.expect(T.Data)).payload).text).toBe('bye');
    await b.close();
    expect(await membersOnceSettled(a, 'r', ['a'])).toEqual(['a']);
    expect(await (await h.connect()).setName('b')).toBe('0');
  });
});
