// RFC 8890 section 4 test cases, each through the client library against the real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type MpcrpClient, type RunningServer, startServer } from '../../src/index.js';

let server: RunningServer;
const open: MpcrpClient[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server.close();
});

async function user(name: string): Promise<MpcrpClient> {
  const client = await connect(server.url, { username: name, extensions: false });
  open.push(client);
  return client;
}

function nextMessage(client: MpcrpClient) {
  return new Promise<{ room: string; text: string }>((resolve) => client.once('message', resolve));
}

describe('RFC 8890 section 4', () => {
  it('4.1 setting an existing username fails', async () => {
    await user('taken41');
    const other = await connect(server.url, { extensions: false });
    open.push(other);
    await expect(other.setUserName('taken41')).rejects.toMatchObject({ code: 'NAME_TAKEN' });
  });

  it('4.2 setting a new username succeeds', async () => {
    const client = await connect(server.url, { extensions: false });
    open.push(client);
    await client.setUserName('fresh42');
    expect(client.username).toBe('fresh42');
  });

  it('4.3 three users communicate in a room', async () => {
    const [a, b, c] = [await user('a43'), await user('b43'), await user('c43')];
    await a.createRoom('room43');
    await b.joinRoom('room43');
    await c.joinRoom('room43');
    const atA = nextMessage(a);
    const atC = nextMessage(c);
    b.send('room43', 'hello from b');
    expect(await atA).toEqual({ room: 'room43', text: 'hello from b' });
    expect(await atC).toEqual({ room: 'room43', text: 'hello from b' });
  });

  it('4.4 creating an existing room ID fails', async () => {
    const a = await user('a44');
    const b = await user('b44');
    await a.createRoom('room44');
    await expect(b.createRoom('room44')).rejects.toMatchObject({ code: 'ROOM_EXISTS' });
  });

  it('4.5 creating a new room ID succeeds and joins the creator', async () => {
    const a = await user('a45');
    await a.createRoom('room45');
    expect(await a.getUserList('room45')).toEqual(['a45']);
  });

  it("4.6 destroying another user's room fails", async () => {
    const a = await user('a46');
    const b = await user('b46');
    await a.createRoom('room46');
    await b.joinRoom('room46');
    await expect(b.destroyRoom('room46')).rejects.toMatchObject({ code: 'NOT_OWNER' });
    expect(await a.getUserList('room46')).toEqual(['a46', 'b46']);
  });

  it('4.7 destroying your own room succeeds and frees the ID', async () => {
    const a = await user('a47');
    await a.createRoom('room47');
    await a.destroyRoom('room47');
    await expect(a.getUserList('room47')).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    await a.createRoom('room47');
  });

  it('4.8 a user in two rooms keeps them apart', async () => {
    const hub = await user('hub48');
    const x = await user('x48');
    const y = await user('y48');
    await x.createRoom('roomx48');
    await y.createRoom('roomy48');
    await hub.joinRoom('roomx48');
    await hub.joinRoom('roomy48');
    const seenByX: string[] = [];
    x.on('message', (m) => seenByX.push(`${m.room}/${m.text}`));
    const atY = nextMessage(y);
    hub.send('roomy48', 'for y');
    expect(await atY).toEqual({ room: 'roomy48', text: 'for y' });
    const atX = nextMessage(x);
    hub.send('roomx48', 'for x');
    expect(await atX).toEqual({ room: 'roomx48', text: 'for x' });
    expect(seenByX).toEqual(['roomx48/for x']);
  });
});
