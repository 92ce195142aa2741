// The inter-node message format: versioned, with the origin node, and tolerant of junk.
import { describe, expect, it } from 'vitest';
import { encodeData } from '../../src/protocol/codec.js';
import {
  dataEntries,
  decodeWire,
  Kind,
  WIRE_VERSION,
  WireEncoder,
} from '../../src/server/cluster/wire.js';

describe('cluster wire messages', () => {
  const encoder = new WireEncoder('node-1');

  it('carries a turn of Data frames with their senders, each payload readable in place', () => {
    const frames = [encodeData('r', 'hello'), encodeData('r', ''), encodeData('r', 'ünï')];
    const raw = encoder.data('r', [
      encoder.entry('alice', frames[0]!),
      encoder.entry('bob', frames[1]!),
      encoder.entry('alice', frames[2]!),
    ]);
    expect(raw[0]).toBe(WIRE_VERSION);
    const message = decodeWire(raw);
    if (typeof message === 'string') throw new Error(message);
    expect(message).toMatchObject({ kind: Kind.Data, origin: 'node-1', room: 'r', user: '' });
    const entries = [...dataEntries(message)];
    expect(entries.map((e) => e.sender)).toEqual(['alice', 'bob', 'alice']);
    expect(entries.map((e) => raw.subarray(e.start - 4, e.end))).toEqual(frames);
  });

  it('says why it cannot read a message: another version, or cut short', () => {
    const raw = encoder.data('room', [encoder.entry('alice', encodeData('room', 'x'))]);
    expect(decodeWire(Buffer.from([WIRE_VERSION + 1, ...raw.subarray(1)]))).toBe('version');
    expect(decodeWire(raw.subarray(0, 6))).toBe('truncated');
    expect(decodeWire(Buffer.alloc(0))).toBe('truncated');
    // A Data message cut inside a frame yields the whole frames before the cut only.
    const cut = decodeWire(raw.subarray(0, raw.length - 1));
    if (typeof cut === 'string') throw new Error(cut);
    expect([...dataEntries(cut)]).toEqual([]);
  });

  it('control messages name their origin', () => {
    const message = decodeWire(encoder.control(Kind.Up));
    expect(message).toMatchObject({ kind: Kind.Up, origin: 'node-1' });
  });
});
