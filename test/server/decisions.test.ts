// Every server rule of decisions.md, over real TCP.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/codec.js';
import { membersOnceSettled, parseData, serve, T } from './harness.js';

const NO_RIGHT = 'You have no right to view the user list because you are not in the chatting room';
const NO_ROOM = 'room ID does not exist';

describe('before a successful SetUserName', () => {
  it('every command fails with its failure response and Data is dropped', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const anon = await h.connect();
    expect(await anon.command(T.CreateRoom, 'new')).toBe('new:1');
    expect(await anon.command(T.JoinRoom, 'r')).toBe('r:1');
    expect(await anon.command(T.QuitRoom, 'r')).toBe('r:1');
    expect(await anon.command(T.DestroyRoom, 'r')).toBe('r:1');
    expect(await anon.command(T.GetUserList, 'r')).toBe(`r:${JSON.stringify(NO_RIGHT)}`);
    anon.data('r', 'sneaky');
    await anon.expectNothing();
    await alice.expectNothing();
    expect(await alice.userList('r')).toEqual(['alice']);
    // The failed CreateRoom created nothing.
    expect(await alice.command(T.CreateRoom, 'new')).toBe('new:0');
  });

  it('a failed SetUserName does not register the connection', async () => {
    const h = await serve();
    await h.user('alice');
    const c = await h.connect();
    expect(await c.setName('alice')).toBe('1');
    expect(await c.command(T.CreateRoom, 'r')).toBe('r:1');
  });
});

describe('names', () => {
  it('accepts 20 code points (incl. multi-byte) and refuses 21, without disconnecting', async () => {
    const h = await serve();
    const c = await h.connect();
    expect(await c.setName('a'.repeat(21))).toBe('1');
    expect(await c.setName('é'.repeat(21))).toBe('1');
    expect(await c.setName('😀'.repeat(20))).toBe('0');
    expect(await c.setName('b'.repeat(20))).toBe('0');
  });

  it.each([
    ['empty', ''],
    ['a space', 'al ice'],
    ['a tab', 'al\tice'],
    ['a no-break space', 'al\u00a0ice'],
    ['a newline', 'alice\n'],
    ['a NUL', 'al\u0000ice'],
    ['a DEL', 'al\u007fice'],
    ['a C1 control', 'al\u0085ice'],
  ])('refuses a username with %s and keeps the connection', async (_, name) => {
    const h = await serve();
    const c = await h.connect();
    expect(await c.setName(name)).toBe('1');
    expect(await c.setName('alice')).toBe('0');
  });

  it('refuses invalid UTF-8 as a username', async () => {
    const h = await serve();
    const c = await h.connect();
    c.sendBytes(encodeFrame(T.SetUserName, Buffer.from([0x61, 0xff, 0x62])));
    expect(await c.expectText(T.SetUserNameResponse)).toBe('1');
  });

  it.each([
    ['a colon', 'a:b'],
    ['21 characters', 'r'.repeat(21)],
    ['a space', 'my room'],
    ['a control character', 'r\u0001'],
    ['nothing', ''],
  ])('refuses a room ID with %s', async (_, room) => {
    const h = await serve();
    const c = await h.user('alice');
    expect(await c.command(T.CreateRoom, room)).toBe(`${room}:1`);
    expect(await c.command(T.JoinRoom, room)).toBe(`${room}:1`);
    expect(await c.command(T.GetUserList, room)).toBe(`${room}:${JSON.stringify(NO_ROOM)}`);
    expect(await c.command(T.CreateRoom, 'r'.repeat(20))).toBe(`${'r'.repeat(20)}:0`);
  });
});

describe('SetUserName again (rename)', () => {
  it('keeps memberships (same place) and ownership, and frees the old name', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const bob = await h.member('bob', 'r');
    expect(await alice.setName('alicia')).toBe('0');
    expect(await bob.userList('r')).toEqual(['alicia', 'bob']);
    bob.data('r', 'still here?');
    expect(parseData((await alice.expect(T.Data)).payload).text).toBe('still here?');
    // The old name is free for someone else, who does not inherit the room.
    const newcomer = await h.user('alice');
    expect(await newcomer.command(T.DestroyRoom, 'r')).toBe('r:1');
    expect(await alice.command(T.DestroyRoom, 'r')).toBe('r:0');
  });

  it('succeeds for the current name and fails for a name held by another', async () => {
    const h = await serve();
    const alice = await h.user('alice');
    await h.user('bob');
    expect(await alice.setName('alice')).toBe('0');
    expect(await alice.setName('bob')).toBe('1');
    expect(await alice.command(T.CreateRoom, 'mine')).toBe('mine:0');
    expect(await alice.userList('mine')).toEqual(['alice']);
  });
});

describe('rooms', () => {
  it('JoinRoom of a missing room fails; joining twice succeeds without a duplicate', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    expect(await alice.command(T.JoinRoom, 'nope')).toBe('nope:1');
    expect(await alice.command(T.JoinRoom, 'r')).toBe('r:0');
    const bob = await h.member('bob', 'r');
    expect(await bob.command(T.JoinRoom, 'r')).toBe('r:0');
    expect(await bob.userList('r')).toEqual(['alice', 'bob']);
  });

  it('GetUserList lists members in join order, with the exact error strings', async () => {
    const h = await serve();
    await h.owner('zed', 'r');
    const amy = await h.member('amy', 'r');
    await h.member('mia', 'r');
    expect(await amy.command(T.GetUserList, 'r')).toBe('r:["zed","amy","mia"]');
    expect(await amy.command(T.GetUserList, 'none')).toBe(`none:${JSON.stringify(NO_ROOM)}`);
    const outsider = await h.user('out');
    expect(await outsider.command(T.GetUserList, 'r')).toBe(`r:${JSON.stringify(NO_RIGHT)}`);
  });

  it('DestroyRoom removes every member: they can no longer send, GetUserList fails', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const bob = await h.member('bob', 'r');
    const carol = await h.member('carol', 'r');
    expect(await alice.command(T.DestroyRoom, 'r')).toBe('r:0');
    expect(await bob.userList('r')).toBe(NO_ROOM);
    bob.data('r', 'anyone?');
    await carol.expectNothing();
    await alice.expectNothing();
    expect(await bob.command(T.QuitRoom, 'r')).toBe('r:1');
  });

  it('a destroyed room ID is free again, and its old members are not in the new room', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const bob = await h.member('bob', 'r');
    expect(await alice.command(T.DestroyRoom, 'r')).toBe('r:0');
    expect(await bob.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await bob.userList('r')).toEqual(['bob']);
    expect(await alice.command(T.DestroyRoom, 'r')).toBe('r:1');
    expect(await alice.command(T.DestroyRoom, 'gone')).toBe('gone:1');
  });

  it('QuitRoom: member succeeds and is removed; missing room or non-member fails', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const bob = await h.member('bob', 'r');
    expect(await bob.command(T.QuitRoom, 'r')).toBe('r:0');
    expect(await alice.userList('r')).toEqual(['alice']);
    expect(await bob.command(T.QuitRoom, 'r')).toBe('r:1');
    expect(await bob.command(T.QuitRoom, 'missing')).toBe('missing:1');
    alice.data('r', 'gone?');
    await bob.expectNothing();
  });

  it('the owner may quit and still destroy the room later', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    await h.member('bob', 'r');
    expect(await alice.command(T.QuitRoom, 'r')).toBe('r:0');
    expect(await alice.command(T.DestroyRoom, 'r')).toBe('r:0');
  });
});

describe('Data relay', () => {
  it('goes to every other member, never back to the sender', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const b = await h.member('b', 'r');
    const c = await h.member('c', 'r');
    a.data('r', 'one');
    a.data('r', '');
    for (const peer of [b, c]) {
      expect(parseData((await peer.expect(T.Data)).payload)).toEqual({ room: 'r', text: 'one' });
      expect(parseData((await peer.expect(T.Data)).payload)).toEqual({ room: 'r', text: '' });
    }
    await a.expectNothing();
  });

  it('is dropped from a non-member and to a missing room, without a response', async () => {
    const h = await serve();
    const a = await h.owner('a', 'r');
    const outsider = await h.user('out');
    outsider.data('r', 'let me in');
    outsider.data('nowhere', 'hello?');
    await outsider.expectNothing();
    await a.expectNothing();
  });
});

describe('disconnect', () => {
  it('frees the name and leaves every room, but rooms outlive their creator', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const bob = await h.member('bob', 'r');
    await alice.close();
    // A round trip through the same server proves the release happened: retry until seen.
    expect(await membersOnceSettled(bob, 'r', ['bob'])).toEqual(['bob']);
    const again = await h.connect();
    expect(await again.setName('alice')).toBe('0');
    expect(await again.command(T.JoinRoom, 'r')).toBe('r:0');
    // The creator's name owns the room still: the new 'alice' may destroy it.
    expect(await again.command(T.DestroyRoom, 'r')).toBe('r:0');
  });
});
