import net from 'node:net';

/**
 * Yardstick: the smallest plain-Node MPCRP relay. SetUserName, CreateRoom, JoinRoom and
 * Data, no validation and no limits; every frame relayed is the received bytes, and all
 * output of one read goes out in one write per recipient. It is what Node itself can do
 * on this machine, so the real server is measured against it. Deliberately not part of
 * src/: never use it as a server.
 */
interface Peer {
  socket: net.Socket;
  name: string;
  out: Buffer[];
  carry: Buffer | undefined;
}

const rooms = new Map<string, Set<Peer>>();
let dirty: Peer[] = [];

function reply(peer: Peer, type: number, payload: string): void {
  const body = Buffer.from(payload);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame[0] = type;
  frame.writeUIntBE(body.length, 1, 3);
  body.copy(frame, 4);
  queue(peer, frame);
}

function queue(peer: Peer, frame: Buffer): void {
  if (peer.out.length === 0) dirty.push(peer);
  peer.out.push(frame);
}

function handle(peer: Peer, type: number, buf: Buffer, start: number, end: number): void {
  switch (type) {
    case 1:
      peer.name = buf.toString('utf8', start + 4, end);
      reply(peer, 2, '0');
      return;
    case 3:
    case 5: {
      const id = buf.toString('utf8', start + 4, end);
      let members = rooms.get(id);
      if (!members && type === 3) {
        members = new Set();
        rooms.set(id, members);
      }
      members?.add(peer);
      reply(peer, type + 1, `${id}:${members ? '0' : '1'}`);
      return;
    }
    case 13: {
      const id = buf.toString('utf8', start + 5, start + 5 + buf[start + 4]!);
      const members = rooms.get(id);
      if (!members) return;
      const frame = buf.subarray(start, end);
      for (const m of members) if (m !== peer) queue(m, frame);
      return;
    }
  }
}

function onData(peer: Peer, chunk: Buffer): void {
  const buf = peer.carry ? Buffer.concat([peer.carry, chunk]) : chunk;
  peer.carry = undefined;
  let at = 0;
  while (at + 4 <= buf.length) {
    const end = at + 4 + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
    if (end > buf.length) break;
    handle(peer, buf[at]!, buf, at, end);
    at = end;
  }
  if (at < buf.length) peer.carry = buf.subarray(at);
  const flush = dirty;
  dirty = [];
  for (const p of flush) {
    p.socket.write(p.out.length === 1 ? p.out[0]! : Buffer.concat(p.out));
    p.out = [];
  }
}

/** Starts the relay on 127.0.0.1; resolves to its port and a close function. */
export function startMinimalRelay(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const peer: Peer = { socket, name: '', out: [], carry: undefined };
    socket.on('data', (chunk) => onData(peer, chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      for (const members of rooms.values()) members.delete(peer);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ port, close: () => server.close() });
    });
  });
}
