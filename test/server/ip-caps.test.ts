// PerIpCounter on its own: which addresses count, under which key, up to the cap.
import { describe, expect, it } from 'vitest';
import { PerIpCounter } from '../../src/server/ip-caps.js';

describe('PerIpCounter', () => {
  it('counts an IPv4-mapped address as the IPv4 address, and frees places', () => {
    const c = new PerIpCounter(2, []);
    expect(c.key('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(c.add('10.0.0.5')).toBe(true);
    expect(c.add(c.key('::ffff:10.0.0.5')!)).toBe(true);
    expect(c.add('10.0.0.5')).toBe(false);
    expect(c.add('10.0.0.6')).toBe(true);
    c.remove('10.0.0.5');
    expect(c.add('10.0.0.5')).toBe(true);
  });

  it("exempts every loopback address with 'loopback', and listed addresses in either form", () => {
    const c = new PerIpCounter(1, ['loopback', '::ffff:10.0.0.5', '2001:db8::1']);
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '10.0.0.5']) {
      expect(c.key(address)).toBeUndefined();
    }
    expect(c.key('2001:db8::1')).toBeUndefined();
    expect(c.key('2001:db8::2')).toBe('2001:db8::2');
    expect(c.key('128.0.0.1')).toBe('128.0.0.1');
  });

  it('does not count transports without an IP address', () => {
    const c = new PerIpCounter(1, []);
    expect(c.key(undefined)).toBeUndefined();
    expect(c.key('memory')).toBeUndefined();
    expect(c.key('127.0.0.1')).toBe('127.0.0.1');
  });
});
