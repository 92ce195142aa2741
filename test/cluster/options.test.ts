// Cluster options: defaults, and every bad value named in one ConfigError.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  DEFAULT_CLUSTER_OPTIONS,
  resolveClusterOptions,
} from '../../src/server/cluster/options.js';
import { redactUrl } from '../../src/server/cluster/redis-clients.js';

describe('cluster options', () => {
  it('fills the documented defaults and a unique node id', () => {
    const a = resolveClusterOptions({ url: 'redis://10.0.0.9:6379' });
    const b = resolveClusterOptions({ url: 'redis://10.0.0.9:6379' });
    expect(a).toMatchObject({ ...DEFAULT_CLUSTER_OPTIONS, url: 'redis://10.0.0.9:6379' });
    expect(DEFAULT_CLUSTER_OPTIONS.leaseTtl).toBe(15_000);
    expect(a.nodeId).not.toBe(b.nodeId);
  });

  it('takes a lease TTL from 400 ms, and refuses less', () => {
    expect(resolveClusterOptions({ url: 'redis://h', leaseTtl: 400 }).leaseTtl).toBe(400);
    expect(() => resolveClusterOptions({ url: 'redis://h', leaseTtl: 399 })).toThrow(
      /leaseTtl must be an integer of at least 400 \(ms\), got 399/,
    );
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      resolveClusterOptions({ url: 'http://h', maxHeldMessages: -1, nodeId: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toHaveLength(3);
  });

  it('never logs a password', () => {
    expect(redactUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactUrl('redis://:s3cret@host')).toBe('redis://:***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
