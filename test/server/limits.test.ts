// The per-connection limits: slow consumers, registration timeout, room size (so a
// GetUserList Response always fits), and the checks on the options themselves.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { encodeData } from '../../src/protocol/codec.js';
import { DEFAULT_SERVER_OPTIONS } from '../../src/server/options.js';
import { MpcrpServer } from '../../src/server/server.js';
import { parseData, serve, T } from './harness.js';

describe('slow consumer (maxOutputBytes)', () => {
  it('disconnects a reader that never reads while the others keep chatting', async () => {
    const h = await serve({ maxOutputBytes: 256 * 1024 });
    const sender = await h.owner('sender', 'flood');
    const sleeper = await h.member('sleeper', 'flood');
    await sender.command(T.CreateRoom, 'chat');
    const friend = await h.member('friend', 'chat');
    sleeper.socket.pause();

    // Flood until the server gives up on the sleeper. Kernel buffers absorb a few MB
    // first; the bound only keeps a broken server from looping forever.
    const chunk = encodeData('flood', 'z'.repeat(60_000));
    let members: unknown = ['sender', 'sleeper'];
    for (let round = 0; round < 400 && Array.isArray(members) && members.length > 1; round++) {
      for (let i = 0; i < 8; i++) sender.sendBytes(chunk);
      members = await sender.userList('flood');
    }
    expect(members).toEqual(['sender']);
    expect(h.logs.some((l) => l.includes('slow consumer') && l.includes('sleeper'))).toBe(true);

    sender.data('chat', 'still fast');
    expect(parseData((await friend.expect(T.Data)).payload).text).toBe('still fast');
    friend.data('chat', 'and back');
    expect(parseData((await sender.nextOfType(T.Data)).payload).text).toBe('and back');

    sleeper.socket.resume();
    await sleeper.closed;
  });
});

describe('registrationTimeout', () => {
  it('closes a connection without a successful SetUserName, not a registered one', async () => {
    // Long enough for the failed attempt's answer to come back first on a loaded machine
    // (at 50 ms it sometimes did not, and the test saw the close instead).
    const h = await serve({ registrationTimeout: 400 });
    const early = await h.user('early'); // connected first: its timer would fire first
    await h.user('taken');
    const failed = await h.connect();
    expect(await failed.setName('taken')).toBe('1');
    await failed.closed;
    expect(h.logs.some((l) => l.includes('registration timeout'))).toBe(true);
    await early.expectNothing();
    expect(await early.command(T.CreateRoom, 'r')).toBe('r:0');
  });

  it('closes a silent connection', async () => {
    const h = await serve({ registrationTimeout: 50 });
    const silent = await h.connect();
    await silent.closed;
    expect(silent.isClosed).toBe(true);
  });
});

describe('maxRoomMembers (GetUserList always fits in maxPayload)', () => {
  it('refuses a JoinRoom past the cap and logs it', async () => {
    const h = await serve({ maxRoomMembers: 2 });
    const a = await h.owner('a', 'r');
    await h.member('b', 'r');
    const c = await h.user('c');
    expect(await c.command(T.JoinRoom, 'r')).toBe('r:1');
    expect(await a.userList('r')).toEqual(['a', 'b']);
    expect(h.logs.some((l) => l.includes('room full'))).toBe(true);
  });

  it('derives the cap from maxPayload so a list of worst-case names fits', async () => {
    const maxPayload = 1024;
    const h = await serve({ maxPayload });
    const cap = h.running.server.options.maxRoomMembers;
    expect(cap).toBe(11);
    // 20 four-byte code points: the longest names there are, in bytes.
    const wide = (i: number) => String.fromCodePoint(0x1f600 + i).repeat(19) + String(i % 10);
    const room = '𝄞'.repeat(20);
    const owner = await h.owner(`${wide(0)}`, room);
    for (let i = 1; i < cap; i++) await h.member(wide(i), room);
    owner.send(T.GetUserList, room);
    const frame = await owner.expect(T.GetUserListResponse);
    expect(frame.payload.length).toBeLessThanOrEqual(maxPayload);
    const list = JSON.parse(frame.payload.toString('utf8').slice(room.length + 1));
    expect(list).toHaveLength(cap);
    const late = await h.user(wide(cap));
    expect(await late.command(T.JoinRoom, room)).toBe(`${room}:1`);
  });
});

describe('options', () => {
  it('rejects out-of-range options with one ConfigError naming each', () => {
    let caught: unknown;
    try {
      new MpcrpServer({ maxPayload: 10, registrationTimeout: -1, maxOutputBytes: 100 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues.join('\n');
    expect(issues).toContain('maxPayload');
    expect(issues).toContain('registrationTimeout');
    expect(issues).toContain('maxOutputBytes');
  });

  it('raises the default output cap with a large maxPayload, so one frame never trips it', () => {
    const server = new MpcrpServer({ maxPayload: 4 * 1024 * 1024 });
    expect(server.options.maxOutputBytes).toBe(8 * 1024 * 1024 + 1024);
    expect(new MpcrpServer().options.maxOutputBytes).toBe(1024 * 1024);
  });

  it('documents the abuse limits with their defaults', () => {
    const o = new MpcrpServer().options;
    expect(o).toMatchObject({
      maxFramesBeforeRegistration: 16,
      maxConnections: 10_000,
      maxConnectionsPerIp: 64,
      perIpExempt: ['loopback'],
      frameRate: 200,
      frameBurst: 400,
      throttleTimeout: 10_000,
      writeTimeout: 10_000,
      maxRoomsPerUser: 100,
      maxRooms: 10_000,
    });
    expect(o).toMatchObject(DEFAULT_SERVER_OPTIONS);
  });

  it('rejects out-of-range abuse limits and a perIpExempt that is not addresses', () => {
    let caught: unknown;
    try {
      new MpcrpServer({
        maxFramesBeforeRegistration: 0,
        maxConnections: 1.5,
        maxConnectionsPerIp: -1,
        frameRate: 0,
        frameBurst: 0,
        throttleTimeout: 0,
        writeTimeout: Number.NaN,
        maxRoomsPerUser: 0,
        maxRooms: 0,
        perIpExempt: ['loopback', 'localhost'],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues;
    expect(issues).toHaveLength(10);
    for (const name of ['maxFramesBeforeRegistration', 'frameRate', 'writeTimeout', 'maxRooms']) {
      expect(issues.some((i) => i.startsWith(`server option ${name} must be`))).toBe(true);
    }
    expect(issues.at(-1)).toContain("perIpExempt must list IP addresses or 'loopback'");
  });

  it('keeps its own copy of perIpExempt', () => {
    const exempt = ['10.0.0.1'];
    const server = new MpcrpServer({ perIpExempt: exempt });
    exempt.push('10.0.0.2');
    expect(server.options.perIpExempt).toEqual(['10.0.0.1']);
  });

  it('rejects a maxRoomMembers whose user list would not fit in maxPayload', () => {
    expect(() => new MpcrpServer({ maxPayload: 1024, maxRoomMembers: 12 })).toThrow(
      /maxRoomMembers.*raise maxPayload/,
    );
  });
});
