// RFC 8890 section 4: each test case as its own test, over real TCP.
import { describe, expect, it } from 'vitest';
import { dataPayload, parseData, serve, T } from './harness.js';

describe('RFC 8890 section 4 test cases', () => {
  it('4.1 setting an existent username fails', async () => {
    const h = await serve();
    await h.user('alice');
    const other = await h.connect();
    expect(await other.setName('alice')).toBe('1');
  });

  it('4.2 setting a nonexistent username succeeds', async () => {
    const h = await serve();
    const c = await h.connect();
    expect(await c.setName('alice')).toBe('0');
    expect(await c.setName('bob')).toBe('0');
  });

  it('4.3 three users in a room: one sends, the other two receive', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'lobby');
    const bob = await h.member('bob', 'lobby');
    const carol = await h.member('carol', 'lobby');
    bob.data('lobby', 'hello all');
    for (const peer of [alice, carol]) {
      const frame = await peer.expect(T.Data);
      expect(parseData(frame.payload)).toEqual({ room: 'lobby', text: 'hello all' });
    }
    expect(await bob.userList('lobby')).toEqual(['alice', 'bob', 'carol']);
  });

  it('4.4 creating an existent room ID fails', async () => {
    const h = await serve();
    await h.owner('alice', 'happyroom001');
    const bob = await h.user('bob');
    expect(await bob.command(T.CreateRoom, 'happyroom001')).toBe('happyroom001:1');
  });

  it('4.5 creating a nonexistent room ID succeeds and joins the creator', async () => {
    const h = await serve();
    const alice = await h.user('alice');
    expect(await alice.command(T.CreateRoom, 'happyroom001')).toBe('happyroom001:0');
    expect(await alice.userList('happyroom001')).toEqual(['alice']);
  });

  it("4.6 destroying another user's room fails and the room stays", async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    const bob = await h.member('bob', 'r');
    expect(await bob.command(T.DestroyRoom, 'r')).toBe('r:1');
    expect(await alice.userList('r')).toEqual(['alice', 'bob']);
  });

  it('4.7 destroying a room you created succeeds', async () => {
    const h = await serve();
    const alice = await h.owner('alice', 'r');
    expect(await alice.command(T.DestroyRoom, 'r')).toBe('r:0');
    expect(await alice.userList('r')).toBe('room ID does not exist');
  });

  it('4.8 a user in two rooms: traffic of one does not affect the other', async () => {
    const h = await serve();
    const a = await h.owner('a', 'one');
    const b = await h.owner('b', 'two');
    const both = await h.member('both', 'one');
    expect(await both.command(T.JoinRoom, 'two')).toBe('two:0');

    a.data('one', 'in one');
    expect(parseData((await both.expect(T.Data)).payload)).toEqual({ room: 'one', text: 'in one' });
    await b.expectNothing();

    b.data('two', 'in two');
    expect(parseData((await both.expect(T.Data)).payload)).toEqual({ room: 'two', text: 'in two' });
    await a.expectNothing();

    both.sendBytes(Buffer.concat([Buffer.from([T.Data, 0, 0, 8]), dataPayload('one', 'back')]));
    expect(parseData((await a.expect(T.Data)).payload)).toEqual({ room: 'one', text: 'back' });
    await b.expectNothing();
    await both.expectNothing();
  });
});
