// Connections that never register, or talk too much before they do.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/codec.js';
import { RawClient } from '../helpers/raw-client.js';
import { serve, T } from '../server/harness.js';
import { bystanders, connectionsSettle, logged, stillServing } from './helpers.js';

const NO_RIGHT = JSON.stringify(
  'You have no right to view the user list because you are not in the chatting room',
);

/** Open file descriptors this process may hold (`ulimit -n`). */
function fdLimit(): number {
  const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

describe('registrationTimeout', () => {
  it('1,000 connections that never register are all closed at the timeout', async () => {
    // Each connection costs two descriptors here (client and server end); keep headroom.
    const n = Math.min(1000, Math.floor((fdLimit() - 256) / 2));
    expect(n).toBeGreaterThanOrEqual(100);
    const timeout = 400;
    const h = await serve({ registrationTimeout: timeout });
    const b = await bystanders(h);
    /** Connects; once connected, resolves to how long the connection will have lived. */
    const open = async (): Promise<{ lifetime: Promise<number> }> => {
      const c = await RawClient.connect(h.running.port);
      const opened = performance.now();
      return { lifetime: c.closed.then(() => performance.now() - opened) };
    };
    const lifetimes: Promise<number>[] = [];
    for (let i = 0; i < n; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, n - i) }, open));
      lifetimes.push(...batch.map((c) => c.lifetime));
    }
    expect(h.running.server.connectionCount).toBeGreaterThan(b.baseline);
    const lived = await Promise.all(lifetimes);
    // Never before the timeout (a little slack for timer rounding), and none left open.
    expect(Math.min(...lived)).toBeGreaterThanOrEqual(timeout - 5);
    expect(Math.max(...lived)).toBeLessThan(timeout + 3000);
    expect(logged(h, 'registration timeout: no SetUserName')).toHaveLength(n);
    await connectionsSettle(h, b.sender, b.baseline);
    await stillServing(h, b);
  });
});

describe('maxFramesBeforeRegistration', () => {
  const probes = (count: number) =>
    Buffer.concat(Array.from({ length: count }, (_, i) => encodeFrame(T.GetUserList, `p${i}`)));

  it('16 frames are answered; the 17th before SetUserName closes the connection', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const chatty = await h.connect();
    chatty.sendBytes(probes(17));
    for (let i = 0; i < 16; i++) {
      expect(await chatty.expectText(T.GetUserListResponse)).toBe(`p${i}:${NO_RIGHT}`);
    }
    await chatty.closed;
    expect(chatty.queued).toBe(0);
    expect(logged(h, 'too many frames before SetUserName')).toHaveLength(1);
    await stillServing(h, b);
  });

  it('a SetUserName that succeeds as the 17th frame is let in', async () => {
    const h = await serve();
    const b = await bystanders(h);
    const late = await h.connect();
    late.sendBytes(Buffer.concat([probes(16), encodeFrame(T.SetUserName, 'late')]));
    for (let i = 0; i < 16; i++) await late.expect(T.GetUserListResponse);
    expect(await late.expectText(T.SetUserNameResponse)).toBe('0');
    // Registered now: no cap any more.
    late.sendBytes(probes(40));
    for (let i = 0; i < 40; i++) await late.expect(T.GetUserListResponse);
    expect(await late.command(T.JoinRoom, 'ok')).toBe('ok:0');
    await late.close();
    await stillServing(h, b);
  });

  it.each([
    ['taken', 'ok1'],
    ['invalid', 'has space'],
  ])(
    'failed SetUserName attempts count; a %s name as the 17th closes after its answer',
    async (_, name) => {
      const h = await serve();
      const b = await bystanders(h);
      const guesser = await h.connect();
      const attempts = Array.from({ length: 16 }, () => encodeFrame(T.SetUserName, 'ok2'));
      guesser.sendBytes(Buffer.concat([...attempts, encodeFrame(T.SetUserName, name)]));
      for (let i = 0; i < 17; i++)
        expect(await guesser.expectText(T.SetUserNameResponse)).toBe('1');
      await guesser.closed;
      expect(logged(h, 'too many frames before SetUserName')).toHaveLength(1);
      await stillServing(h, b);
    },
  );
});
