// The relay's cost model: one frame build per relay, shared by every recipient, and one
// write per connection per event-loop turn. Watched at the Transport seam.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeData } from '../../src/protocol/codec.js';
import { MpcrpServer } from '../../src/server/server.js';
import { memoryTransportPair } from '../../src/transport/memory.js';
import type { Transport } from '../../src/transport/transport.js';
import { RawClient } from '../helpers/raw-client.js';
import { T } from './harness.js';

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
    sender!.client.data('r', 'shared');
    for (const u of rest) await u.client.next();
    const [a, b, c, d] = rest.map((u) => u.writes);
    expect(a).toHaveLength(1);
    expect(a![0]).toBe(b![0]); // the same Buffer object, not an equal copy
    expect(a![0]!.equals(encodeData('r', 'shared'))).toBe(true);
    // Data is forwarded as a view of the bytes the sender's chunk brought, not a copy.
    const received = sender!.reads.at(-1)!;
    expect(a![0]!.buffer).toBe(received.buffer);
    expect(a![0]!.byteOffset).toBe(received.byteOffset);
    expect(c![0]).toBe(d![0]);
    expect(c![0]![0]).toBe(T.DataFrom);
    expect(sender!.writes).toHaveLength(0);
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
