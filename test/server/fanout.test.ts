// The relay's cost model: one frame build per relay, shared by every recipient, and one
// write per connection per event-loop turn. Watched at the Transport seam.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import { InMemoryRegistry } from '../../src/server/memory-registry.js';
import type { Registry } from '../../src/server/registry.js';
import { MpcrpServer } from '../../src/server/server.js';
import { memoryTransportPair } from '../../src/transport/memory.js';
import type { Transport } from '../../src/transport/transport.js';
import { RawClient } from '../helpers/raw-client.js';
import { membersOnceSettled, parseData, T } from './harness.js';

const servers: MpcrpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A client whose server-side transport records every write the server makes. */
interface Peer {
  client: RawClient;
  /** The server's end of the connection. */
  serverSide: Transport;
  writes: Buffer[];
  reads: Buffer[];
}

function connect(server: MpcrpServer): Peer {
  const [clientSide, serverSide] = memoryTransportPair();
  const writes: Buffer[] = [];
  const reads: Buffer[] = [];
  serverSide.on('data', (chunk) => reads.push(chunk));
  const write = serverSide.write.bind(serverSide);
  (serverSide as { write: Transport['write'] }).write = (chunk) => {
    writes.push(chunk as Buffer);
    return write(chunk);
  };
  server.accept(serverSide);
  return { client: new RawClient(clientSide), serverSide, writes, reads };
}

async function room(server: MpcrpServer, names: string[], want: string[][] = []) {
  const users = names.map(() => connect(server));
  await users[0]!.client.register(names[0]!);
  await users[0]!.client.command(T.CreateRoom, 'r');
  for (let i = 1; i < names.length; i++) {
    await users[i]!.client.register(names[i]!);
    await users[i]!.client.command(T.JoinRoom, 'r');
  }
  for (let i = 0; i < names.length; i++) if (want[i]) await users[i]!.client.hello(want[i]!);
  // Nothing pending: only the relay under test is recorded.
  for (const u of users) await u.client.expectNothing();
  for (const u of users) u.writes.length = 0;
  return users;
}

describe('fan-out', () => {
  it('queues one shared Buffer per frame form to every recipient', async () => {
    const server = new MpcrpServer();
    servers.push(server);
    const [sender, ...rest] = await room(
      server,
      ['s', 'a', 'b', 'c', 'd'],
      [[], [], [], ['sender'], ['sender']],
    );
    // Over 4 KiB, so the memory transport's copy of the write is a chunk of its own.
    const text = 'shared'.repeat(1000);
    sender!.client.data('r', text);
    for (const u of rest) await u.client.next();
    const [a, b, c, d] = rest.map((u) => u.writes);
    expect(a).toHaveLength(1);
    expect(a![0]).toBe(b![0]); // the same Buffer object, not an equal copy
    expect(a![0]!.equals(encodeData('r', text))).toBe(true);
    // Data that is its chunk is forwarded as a view of the bytes received, not a copy.
    const received = sender!.reads.at(-1)!;
    expect(a![0]!.buffer).toBe(received.buffer);
    expect(a![0]!.byteOffset).toBe(received.byteOffset);
    expect(c![0]).toBe(d![0]);
    expect(c![0]![0]).toBe(T.DataFrom);
    expect(sender!.writes).toHaveLength(0);
  });

  it('copies a small Data out of a much larger chunk, so queues never pin the chunk', async () => {
    const server = new MpcrpServer();
    servers.push(server);
    const [sender, a] = await room(server, ['s', 'a'], [[], []]);
    // One write: a small Data, then a 60 KB frame of an ignored type.
    const data = encodeData('r', 'small');
    sender!.client.sendBytes(Buffer.concat([data, encodeFrame(200, Buffer.alloc(60_000))]));
    await a!.client.next();
    await sender!.client.expectNothing();
    const queued = a!.writes[0]!;
    expect(queued.equals(data)).toBe(true);
    expect(queued.buffer.byteLength).toBeLessThan(10_000);
  });

  it('writes once per connection per turn, however many frames were queued', async () => {
    const server = new MpcrpServer();
    servers.push(server);
    const [sender, receiver] = await room(server, ['s', 'r']);
    const burst = Buffer.concat(Array.from({ length: 10 }, (_, i) => encodeData('r', `m${i}`)));
    sender!.client.sendBytes(burst);
    for (let i = 0; i < 10; i++) await receiver!.client.expect(T.Data);
    expect(receiver!.writes).toHaveLength(1);
    expect(receiver!.writes[0]!.equals(burst)).toBe(true);
  });

  it('close() flushes relays queued in the same turn before closing', async () => {
    const server = new MpcrpServer();
    servers.push(server);
    const [sender, receiver] = await room(server, ['s', 'r']);
    // Runs right after the server handled the chunk: the relay is queued, not yet written.
    sender!.serverSide.on('data', () => void server.close());
    sender!.client.data('r', 'last words');
    expect((await receiver!.client.expect(T.Data)).payload.toString()).toContain('last words');
    await receiver!.client.closed;
  });
});

/** Waits for the next Data frame and returns its text. */
async function textOf(peer: Peer): Promise<string> {
  return parseData((await peer.client.expect(T.Data)).payload).text;
}

/**
 * A registry that answers asynchronously with a fresh copy of every list, as one shared
 * between processes would.
 */
function asyncCopyingRegistry(): Registry {
  const inner = new InMemoryRegistry();
  const later = <V>(value: V): Promise<V> =>
    new Promise((resolve) => setImmediate(() => resolve(structuredClone(value))));
  return {
    addUser: (name) => later(inner.addUser(name)),
    renameUser: (from, to) => later(inner.renameUser(from, to)),
    removeUser: (name) => later(inner.removeUser(name)),
    createRoom: (room, owner, limits) => later(inner.createRoom(room, owner, limits)),
    joinRoom: (room, user, limits) => later(inner.joinRoom(room, user, limits)),
    quitRoom: (room, user) => later(inner.quitRoom(room, user)),
    destroyRoom: (room, requester) => later(inner.destroyRoom(room, requester)),
    members: (room) => later(inner.members(room)),
    membersIfMember: (room, user) => later(inner.membersIfMember(room, user)),
    listRooms: () => later(inner.listRooms()),
  };
}

// The relay remembers each room's member connections between messages; every change of
// membership or of who holds a name must reach the right connections at once.
describe.each([
  ['the in-memory registry', () => new InMemoryRegistry()],
  ['an asynchronous registry returning copies', asyncCopyingRegistry],
])('fan-out after membership changes, with %s', (_, registry) => {
  it('a name taken again by a new connection gets the messages, in the same place in the room', async () => {
    const server = new MpcrpServer({ registry: registry() });
    servers.push(server);
    const [s, a, b] = await room(server, ['s', 'a', 'b']);
    s!.client.data('r', 'one');
    expect(await textOf(a!)).toBe('one');
    expect(await textOf(b!)).toBe('one');
    await b!.client.close();
    expect(await membersOnceSettled(s!.client, 'r', ['s', 'a'])).toEqual(['s', 'a']);
    const again = connect(server);
    await again.client.register('b');
    expect(await again.client.command(T.JoinRoom, 'r')).toBe('r:0');
    s!.client.data('r', 'two');
    expect(await textOf(a!)).toBe('two');
    expect(await textOf(again)).toBe('two');
  });

  it('quit, join, rename, rename back and disconnect each change who gets the next message', async () => {
    const server = new MpcrpServer({ registry: registry() });
    servers.push(server);
    const [s, a, b, c] = await room(server, ['s', 'a', 'b', 'c']);
    const say = async (text: string, to: Peer[], notTo: Peer[]) => {
      s!.client.data('r', text);
      for (const p of to) expect(await textOf(p)).toBe(text);
      for (const p of notTo) await p.client.expectNothing();
    };
    await say('all', [a!, b!, c!], []);
    expect(await a!.client.command(T.QuitRoom, 'r')).toBe('r:0');
    await say('no a', [b!, c!], [a!]);
    expect(await a!.client.command(T.JoinRoom, 'r')).toBe('r:0');
    await say('a back', [a!, b!, c!], []);
    expect(await b!.client.setName('b2')).toBe('0');
    await say('b renamed', [a!, b!, c!], []);
    // c takes b's old name: the place that said 'b' is c's now, b is still in as 'b2'.
    expect(await c!.client.setName('b')).toBe('0');
    await say('c is b', [a!, b!, c!], []);
    await c!.client.close();
    expect(await membersOnceSettled(s!.client, 'r', ['s', 'b2', 'a'])).toEqual(['s', 'b2', 'a']);
    await say('c gone', [a!, b!], []);
    // The sender's own place never gets a copy, whatever the list looks like.
    await s!.client.expectNothing();
  });

  it('a room destroyed and created again under the same name relays to its new members only', async () => {
    const server = new MpcrpServer({ registry: registry() });
    servers.push(server);
    const [s, a, b] = await room(server, ['s', 'a', 'b']);
    s!.client.data('r', 'before');
    expect(await textOf(a!)).toBe('before');
    expect(await textOf(b!)).toBe('before');
    expect(await s!.client.command(T.DestroyRoom, 'r')).toBe('r:0');
    expect(await s!.client.command(T.CreateRoom, 'r')).toBe('r:0');
    expect(await b!.client.command(T.JoinRoom, 'r')).toBe('r:0');
    s!.client.data('r', 'after');
    expect(await textOf(b!)).toBe('after');
    await a!.client.expectNothing();
  });
});
