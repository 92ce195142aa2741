// A member that never reads while its room floods: dropped by either slow-consumer rule,
// without slowing anyone else down.
import { describe, expect, it } from 'vitest';
import { encodeData } from '../../src/protocol/codec.js';
import { serve, T } from '../server/harness.js';
import { bystanders, connectionsSettle, logged, stillServing } from './helpers.js';

describe('a member that never reads while its room floods', () => {
  it.each([
    ['a write blocked past writeTimeout', 'write blocked', { writeTimeout: 500 }],
    ['output past maxOutputBytes', 'output cap reached', { maxOutputBytes: 256 * 1024 }],
  ])('is dropped for %s; a reading member keeps round trips fast', async (_, reason, limits) => {
    const h = await serve({
      // Each rule alone: the other one set far out of reach.
      writeTimeout: 60_000,
      maxOutputBytes: 512 * 1024 * 1024,
      frameRate: 100_000,
      frameBurst: 100_000,
      ...limits,
    });
    const b = await bystanders(h);
    const sender = await h.owner('sender', 'flood');
    const sleeper = await h.member('sleeper', 'flood');
    const reader = await h.member('reader', 'flood');
    sleeper.socket.pause();
    const chunk = encodeData('flood', 'z'.repeat(60_000));
    const started = performance.now();
    let slowest = 0;
    let members: unknown = [];
    // Rounds of 180 KB (below the cap: a healthy reader takes a round in one turn) until
    // the server gives up on the sleeper; kernel buffers absorb a few MB first. The bound
    // only stops a broken server from looping for ever.
    for (let round = 0; round < 2000; round++) {
      for (let i = 0; i < 3; i++) sender.sendBytes(chunk);
      const asked = performance.now();
      for (let i = 0; i < 3; i++) await reader.expect(T.Data);
      await reader.expectNothing();
      slowest = Math.max(slowest, performance.now() - asked);
      members = await sender.userList('flood');
      if (Array.isArray(members) && !members.includes('sleeper')) break;
    }
    const droppedAfter = performance.now() - started;
    expect(members).toEqual(['sender', 'reader']);
    expect(logged(h, `slow consumer: ${reason}`, 'user=sleeper')).toHaveLength(1);
    expect(droppedAfter).toBeLessThan(5_000);
    // Delivering a round to a reading member never waited on the sleeper.
    expect(slowest).toBeLessThan(250);
    sleeper.socket.resume();
    await sleeper.closed;
    await Promise.all([sender.close(), reader.close()]);
    await connectionsSettle(h, b.sender, b.baseline);
    await stillServing(h, b);
  });
});
