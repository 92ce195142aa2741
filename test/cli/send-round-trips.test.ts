// `mpcrp-bot send` pipelines its requests (src/cli/send-once.ts): these check that it
// still never relays what it must not, and that the common case is one round trip.
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeData, encodeFrame } from '../../src/protocol/codec.js';
import type { RunningServer } from '../../src/server/index.js';
import { client, fakeServer, inbox, run, server } from './cli-harness.js';

let srv: RunningServer;
let n = 0;
async function listener() {
  n += 1;
  const room = `rt${n}`;
  const c = await client(srv.url, `rtwatch${n}`);
  await c.createRoom(room);
  return { room, box: inbox(c) };
}

beforeAll(async () => {
  srv = await server();
});

/** Answers as an MPCRP server would: every room exists unless `missing` says otherwise. */
function answerFor(type: number, payload: Buffer, missing: Set<string>): Buffer | undefined {
  const text = payload.toString();
  if (type === 1) return encodeFrame(2, '0');
  if (type === 3) return encodeFrame(4, `${text}:${missing.delete(text) ? '0' : '1'}`);
  if (type === 5) return encodeFrame(6, `${text}:${missing.has(text) ? '1' : '0'}`);
  if (type === 7) return encodeFrame(8, `${text}:"room ID does not exist"`);
  return undefined;
}

describe('send: round trips', () => {
  it('writes SetUserName, JoinRoom, Data and the confirming GetUserList before any answer, and no QuitRoom', async () => {
    const seen: number[] = [];
    let held: Buffer[] = [];
    // Answers nothing until the confirming request is in: a client that waited for an
    // answer before its next request would wait here until --connect-timeout.
    const fake = await fakeServer((type, payload) => {
      seen.push(type);
      held.push(answerFor(type, payload, new Set()) ?? Buffer.alloc(0));
      if (type !== 7) return undefined;
      const all = Buffer.concat(held);
      held = [];
      return all;
    });
    const r = await run(['send', '-s', fake.url, '-u', 'one', '-r', 'lobby', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(seen).toEqual([1, 5, 13, 7]);
  });

  it('skips room traffic that arrives between its answers', async () => {
    const fake = await fakeServer((type, payload) => {
      const answer = answerFor(type, payload, new Set());
      if (type !== 5 || answer === undefined) return answer;
      // Someone in the room talks right after the join, and with the sender extension too.
      return Buffer.concat([answer, encodeData('lobby', 'chatter'), encodeFrame(130, 'x')]);
    });
    const r = await run(['send', '-s', fake.url, '-u', 'two', '-r', 'lobby', 'hi']);
    expect(r.code).toBe(0);
  });

  it('--create with one missing room: creates it, then sends the message again', async () => {
    const seen: number[] = [];
    const missing = new Set(['fresh']);
    const fake = await fakeServer((type, payload) => {
      seen.push(type);
      return answerFor(type, payload, missing);
    });
    const r = await run(['send', '-s', fake.url, '-u', 'three', '-r', 'fresh', '--create', 'hi']);
    expect(r.code).toBe(0);
    // The Data that went with the failed JoinRoom was dropped by the server (not a member).
    expect(seen).toEqual([1, 5, 13, 7, 3, 13, 7]);
  });

  it('--create with one missing room on a real server: it exists afterwards and the send exits 0', async () => {
    n += 1;
    const room = `rtnew${n}`;
    const r = await run(['send', '-s', srv.url, '-u', `rtc${n}`, '-r', room, '--create', 'hi']);
    expect(r.code).toBe(0);
    const c = await client(srv.url, `rtcheck${n}`);
    await c.joinRoom(room);
  });
});

describe('send: what rides along with an unanswered request is never relayed', () => {
  it('4: a taken name, and the message sent with it reaches nobody', async () => {
    const { room, box } = await listener();
    await client(srv.url, 'rtholder');
    const r = await run(['send', '-s', srv.url, '-r', room, '-u', 'rtholder', 'must not arrive']);
    expect(r.code).toBe(4);
    expect((await run(['send', '-s', srv.url, '-r', room, '-u', 'rtm1', 'marker'])).code).toBe(0);
    expect((await box.next(1)).map((m) => m.text)).toEqual(['marker']);
  });

  it('--on-name-taken suffix: refused first, delivered exactly once as NAME-2', async () => {
    const { room, box } = await listener();
    await client(srv.url, 'rtbusy');
    const args = ['send', '-s', srv.url, '-r', room, '-u', 'rtbusy', '--on-name-taken', 'suffix'];
    expect((await run([...args, 'once'])).code).toBe(0);
    expect((await run(['send', '-s', srv.url, '-r', room, '-u', 'rtm2', 'marker'])).code).toBe(0);
    const got = await box.next(2);
    expect(got.map((m) => [m.sender, m.text])).toEqual([
      ['rtbusy-2', 'once'],
      ['rtm2', 'marker'],
    ]);
  });

  it('5: one of two rooms missing, and the one that exists gets nothing', async () => {
    const { room, box } = await listener();
    const r = await run(['send', '-s', srv.url, '-u', 'rtm3', '-r', room, '-r', 'rtnope', 'x']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`room 'rtnope' does not exist on ${srv.url}`);
    expect((await run(['send', '-s', srv.url, '-r', room, '-u', 'rtm4', 'marker'])).code).toBe(0);
    expect((await box.next(1)).map((m) => m.text)).toEqual(['marker']);
  });
});
