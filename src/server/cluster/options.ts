import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError } from '../../errors.js';

/** How a server node joins a cluster; every node of one cluster uses the same Redis and prefix. */
export interface ClusterOptions {
  /** `redis://[user:password@]HOST[:PORT][/DB]` or `rediss://` for TLS. */
  url: string;
  /** Prefix of every key and channel, so several clusters can share one Redis. Default 'mpcrp:'. */
  prefix?: string;
  /**
   * Milliseconds after which a node that stopped heartbeating (killed, frozen, cut off
   * from Redis) is declared dead by the others: its users' names are freed and they
   * leave their rooms (members see the leaves). A lease lasts 3/4 of it from the last
   * heartbeat, and every node heartbeats and sweeps every 1/4 of it, so a dead node is
   * reaped within this time. Default 15,000; at least 400.
   */
  leaseTtl?: number;
  /** Cross-node messages held while Redis is away, at most; more are dropped (logged). Default 10,000. */
  maxHeldMessages?: number;
  /** Bytes of held cross-node messages, at most. Default 16 MiB. */
  maxHeldBytes?: number;
  /** Milliseconds a Redis command may take before its operation fails. Default 2,000. */
  commandTimeout?: number;
  /**
   * Milliseconds a node that got Redis back waits for the other nodes to be back too
   * (resubscribed) before it sends what it held. Default 5,000.
   */
  settleTimeout?: number;
  /** This node's id in the cluster; default `HOST-PID-RANDOM`. Unique per running node. */
  nodeId?: string;
}

export type ResolvedClusterOptions = Required<ClusterOptions>;

export const DEFAULT_CLUSTER_OPTIONS = Object.freeze({
  prefix: 'mpcrp:',
  leaseTtl: 15_000,
  maxHeldMessages: 10_000,
  maxHeldBytes: 16 * 1024 * 1024,
  commandTimeout: 2_000,
  settleTimeout: 5_000,
});

function defaultNodeId(): string {
  const host =
    hostname()
      .replace(/[^\w.-]/g, '')
      .slice(0, 40) || 'node';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Fills defaults and checks values; throws one ConfigError listing every problem. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const d = DEFAULT_CLUSTER_OPTIONS;
  const resolved: ResolvedClusterOptions = {
    url: options.url,
    prefix: options.prefix ?? d.prefix,
    leaseTtl: options.leaseTtl ?? d.leaseTtl,
    maxHeldMessages: options.maxHeldMessages ?? d.maxHeldMessages,
    maxHeldBytes: options.maxHeldBytes ?? d.maxHeldBytes,
    commandTimeout: options.commandTimeout ?? d.commandTimeout,
    settleTimeout: options.settleTimeout ?? d.settleTimeout,
    nodeId: options.nodeId ?? defaultNodeId(),
  };
  const issues: string[] = [];
  if (typeof resolved.url !== 'string' || !/^rediss?:\/\/[^/]/.test(resolved.url)) {
    issues.push(
      `cluster redis URL must look like redis://HOST:PORT (or rediss:// for TLS), got ${JSON.stringify(resolved.url)}`,
    );
  } else {
    try {
      new URL(resolved.url);
    } catch {
      issues.push(`cluster redis URL is not a valid URL: ${JSON.stringify(resolved.url)}`);
    }
  }
  const integer = (name: string, value: number, min: number, unit: string) => {
    if (!Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
      issues.push(
        `cluster option ${name} must be an integer of at least ${min}${unit}, got ${value}`,
      );
    }
  };
  integer('leaseTtl', resolved.leaseTtl, 400, ' (ms)');
  integer('maxHeldMessages', resolved.maxHeldMessages, 0, '');
  integer('maxHeldBytes', resolved.maxHeldBytes, 0, ' (bytes)');
  integer('commandTimeout', resolved.commandTimeout, 10, ' (ms)');
  integer('settleTimeout', resolved.settleTimeout, 0, ' (ms)');
  if (typeof resolved.prefix !== 'string' || Buffer.byteLength(resolved.prefix) > 64) {
    issues.push(`cluster option prefix must be a string of at most 64 bytes`);
  }
  const id = resolved.nodeId;
  if (typeof id !== 'string' || id === '' || Buffer.byteLength(id) > 100) {
    issues.push(`cluster option nodeId must be a non-empty string of at most 100 bytes`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}
