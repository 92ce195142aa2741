// Peers that vanish mid-frame, and peers racing for one name, over real sockets.
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { InMemoryRegistry } from '../../src/server/memory-registry.js';
import type { Registry } from '../../src/server/registry.js';
import { serve, T } from '../server/harness.js';
import { bystanders, connectionsSettle, stillServing } from './helpers.js';

describe('a peer that vanishes mid-frame', () => {
  it.each([
    ['FIN', (s: net.Socket) => s.end()],
    ['RST', (s: net.Socket) => s.resetAndDestroy()],
  ])('%s: its name is freed and it leaves every room, which stay', async (_, hangUp) => {
    const h = await serve();
    const b = await bystanders(h);
    const gone = await h.member('gone', 'ok');
    expect(await gone.command(T.CreateRoom, 'its-own')).toBe('its-own:0');
    gone.sendBytes(encodeData('ok', 'never finished').subarray(0, 9));
    hangUp(gone.socket as net.Socket);
    await gone.closed;
    await connectionsSettle(h, b.sender, b.baseline);
    expect(await b.sender.userList('ok')).toEqual(['ok1', 'ok2']);
    await b.receiver.expectNothing(); // the half frame was never relayed
    // The name is free, and the room it created outlived it (still owned by that name).
    const heir = await h.user('gone');
    expect(await heir.userList('its-own')).toBe(
      'You have no right to view the user list because you are not in the chatting room',
    );
    expect(await heir.command(T.DestroyRoom, 'its-own')).toBe('its-own:0');
    await heir.close();
    await stillServing(h, b);
  });

  it('a peer that resets while the server is writing to it', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const reader = await h.member('reader', 'ok');
    for (let i = 0; i < 20; i++) b.sender.data('ok', 'y'.repeat(50_000));
    await reader.expect(T.Data);
    (reader.socket as net.Socket).resetAndDestroy();
    await connectionsSettle(h, b.sender, b.baseline);
    for (let i = 0; i < 20; i++) await b.receiver.expect(T.Data);
    await stillServing(h, b);
  });
});

/** A registry whose addUser answers a turn later, as a networked store would. */
function slowNames(): Registry {
  const inner = new InMemoryRegistry();
  return {
    addUser: (name) => new Promise((resolve) => setImmediate(() => resolve(inner.addUser(name)))),
    renameUser: inner.renameUser.bind(inner),
    removeUser: inner.removeUser.bind(inner),
    createRoom: inner.createRoom.bind(inner),
    joinRoom: inner.joinRoom.bind(inner),
    quitRoom: inner.quitRoom.bind(inner),
    destroyRoom: inner.destroyRoom.bind(inner),
    members: inner.members.bind(inner),
    membersIfMember: inner.membersIfMember.bind(inner),
    listRooms: inner.listRooms.bind(inner),
  };
}

describe('two connections racing for one name', () => {
  it.each([
    ['the in-memory registry', () => new InMemoryRegistry()],
    ['an asynchronous registry', slowNames],
  ])('exactly one wins, every time (%s)', async (_, registry) => {
    const h = await serve({ registry: registry() });
    const b = await bystanders(h);
    for (let round = 0; round < 20; round++) {
      const [x, y] = await Promise.all([h.connect(), h.connect()]);
      const frame = encodeFrame(T.SetUserName, `racer${round}`);
      // Both in the same turn; which one writes first alternates.
      for (const c of round % 2 === 0 ? [x, y] : [y, x]) c.sendBytes(frame);
      const results = await Promise.all([
        x.expectText(T.SetUserNameResponse),
        y.expectText(T.SetUserNameResponse),
      ]);
      expect([...results].sort()).toEqual(['0', '1']);
      // The loser can still pick another name; the winner keeps its own.
      const [winner, loser] = results[0] === '0' ? [x, y] : [y, x];
      expect(await loser.setName(`loser${round}`)).toBe('0');
      expect(await winner.setName(`racer${round}`)).toBe('0');
      await Promise.all([x.close(), y.close()]);
    }
    await stillServing(h, b);
  });
});
