// Connection caps (total, per IP) and room caps (per user, total), over real sockets.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { type Harness, serve, T } from '../server/harness.js';
import { bystanders, connectionsSettle, logged, stillServing } from './helpers.js';

/** A raw client whose connection comes from `localAddress` (any 127.x works on Linux). */
function connectFrom(h: Harness, localAddress: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: h.running.port, host: '127.0.0.1', localAddress });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(new RawClient(socket));
    });
  });
}

/** Connected, and the server either serves it (a round trip works) or has closed it. */
async function served(c: RawClient): Promise<boolean> {
  try {
    await c.expectNothing();
    return true;
  } catch {
    await c.closed;
    return false;
  }
}

describe('maxConnections', () => {
  it('closes a connection over the cap at once; a freed place can be taken again', async () => {
    const h = await serve({ maxConnections: 4 });
    const b = await bystanders(h);
    const third = await h.connect();
    const fourth = await h.connect();
    const fifth = await h.connect();
    expect(await served(third)).toBe(true);
    expect(await served(fourth)).toBe(true);
    expect(await served(fifth)).toBe(false);
    expect(logged(h, 'connection refused: maxConnections reached')).toHaveLength(1);
    await third.close();
    await connectionsSettle(h, b.sender, b.baseline + 1);
    const again = await h.connect();
    expect(await again.setName('again')).toBe('0');
    await Promise.all([again.close(), fourth.close()]);
    await stillServing(h, b);
  });
});

describe('maxConnectionsPerIp', () => {
  it('caps each address; another address is counted on its own', async () => {
    const h = await serve({ maxConnectionsPerIp: 3, perIpExempt: [] });
    const b = await bystanders(h); // two from 127.0.0.1
    const extra = await connectFrom(h, '127.0.0.1');
    expect(await served(extra)).toBe(true);
    expect(await served(await connectFrom(h, '127.0.0.1'))).toBe(false);
    expect(logged(h, 'maxConnectionsPerIp', 'remote=127.0.0.1')).toHaveLength(1);
    const other = await Promise.all([1, 2, 3].map(() => connectFrom(h, '127.0.0.2')));
    for (const c of other) expect(await served(c)).toBe(true);
    expect(await served(await connectFrom(h, '127.0.0.2'))).toBe(false);
    // Closing one frees its place for that address only.
    await other[0]!.close();
    await connectionsSettle(h, b.sender, b.baseline + 3);
    expect(await served(await connectFrom(h, '127.0.0.1'))).toBe(false);
    const back = await connectFrom(h, '127.0.0.2');
    expect(await back.setName('back')).toBe('0');
    await Promise.all([back, extra, ...other.slice(1)].map((c) => c.close()));
    await stillServing(h, b);
  });

  it('exempts loopback by default, and any address listed in perIpExempt', async () => {
    const byDefault = await serve({ maxConnectionsPerIp: 1 });
    const mine = await Promise.all([1, 2, 3].map(() => connectFrom(byDefault, '127.0.0.3')));
    for (const c of mine) expect(await served(c)).toBe(true);
    for (const c of mine) await c.close();

    const listed = await serve({ maxConnectionsPerIp: 1, perIpExempt: ['127.0.0.4'] });
    const exempt = await Promise.all([1, 2, 3].map(() => connectFrom(listed, '127.0.0.4')));
    for (const c of exempt) expect(await served(c)).toBe(true);
    const counted = [
      await connectFrom(listed, '127.0.0.5'),
      await connectFrom(listed, '127.0.0.5'),
    ];
    expect(await served(counted[0]!)).toBe(true);
    expect(await served(counted[1]!)).toBe(false);
  });

  it('does not count in-memory connections', async () => {
    const h = await serve({ maxConnectionsPerIp: 1, perIpExempt: [] });
    const local = [1, 2, 3].map(() => new RawClient(h.running.server.connectMemory()));
    for (const c of local) expect(await served(c)).toBe(true);
    for (const c of local) await c.close();
  });
});

describe('maxRoomsPerUser', () => {
  it('fails CreateRoom and JoinRoom past the cap with the normal response, and logs it', async () => {
    const h = await serve({ maxRoomsPerUser: 2 });
    const b = await bystanders(h); // ok1 is in 'ok'
    expect(await b.sender.command(T.CreateRoom, 'second')).toBe('second:0');
    expect(await b.sender.command(T.CreateRoom, 'third')).toBe('third:1');
    expect(await b.receiver.command(T.CreateRoom, 'third')).toBe('third:0');
    expect(await b.sender.command(T.JoinRoom, 'third')).toBe('third:1');
    expect(logged(h, 'room limit', 'maxRoomsPerUser=2')).toHaveLength(2);
    // Rejoining a room already joined still succeeds at the cap.
    expect(await b.sender.command(T.JoinRoom, 'ok')).toBe('ok:0');
    // Quitting frees a place.
    expect(await b.sender.command(T.QuitRoom, 'second')).toBe('second:0');
    expect(await b.sender.command(T.JoinRoom, 'third')).toBe('third:0');
    expect(await b.sender.userList('third')).toEqual(['ok2', 'ok1']);
    await stillServing(h, b);
  });
});

describe('maxRooms', () => {
  it('fails CreateRoom once the server holds the cap; DestroyRoom frees a place', async () => {
    const h = await serve({ maxRooms: 3 });
    const b = await bystanders(h); // room 'ok'
    const c = await h.user('builder');
    expect(await c.command(T.CreateRoom, 'two')).toBe('two:0');
    expect(await c.command(T.CreateRoom, 'three')).toBe('three:0');
    expect(await c.command(T.CreateRoom, 'four')).toBe('four:1');
    expect(await b.receiver.command(T.CreateRoom, 'four')).toBe('four:1');
    expect(logged(h, 'room limit', 'maxRooms=3')).toHaveLength(2);
    // Joining existing rooms is not affected.
    expect(await b.receiver.command(T.JoinRoom, 'two')).toBe('two:0');
    expect(await c.command(T.DestroyRoom, 'three')).toBe('three:0');
    expect(await b.receiver.command(T.CreateRoom, 'four')).toBe('four:0');
    await c.close();
    await stillServing(h, b);
  });
});
