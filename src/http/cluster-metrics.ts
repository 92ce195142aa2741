import type { Registry } from 'prom-client';
import type { Registry as ServerRegistry } from '../server/registry.js';
import { sampled } from './sampled.js';

const LINK_STATES = ['up', 'down', 'settling'] as const;

/**
 * The metrics of a cluster node (`serve --redis --http`), read from the registry's
 * health() when scraped; the round trip is one PING per scrape, not a timer of its own.
 * Registers nothing for a registry that is not shared (no health()).
 */
export function registerClusterMetrics(registry: Registry, shared: ServerRegistry): void {
  const health = shared.health?.bind(shared);
  if (health === undefined) return;
  sampled(registry, {
    name: 'mpcrp_cluster_link',
    help: "This node's link to Redis: 1 for the state it is in (up, down, settling), 0 for the others.",
    type: 'gauge',
    collect: () => {
      const { link } = health();
      return LINK_STATES.map((state) => ({ labels: { state }, value: state === link ? 1 : 0 }));
    },
  });
  sampled(registry, {
    name: 'mpcrp_cluster_held_messages',
    help: 'Cross-node messages held while Redis is away, sent in order once it is back.',
    type: 'gauge',
    collect: () => [{ value: health().held }],
  });
  sampled(registry, {
    name: 'mpcrp_cluster_held_dropped_total',
    help: 'Cross-node messages dropped because the outage outlasted maxHeldMessages or maxHeldBytes.',
    type: 'counter',
    collect: () => [{ value: health().heldDropped }],
  });
  sampled(registry, {
    name: 'mpcrp_cluster_peers',
    help: 'Other nodes this node knows to be alive.',
    type: 'gauge',
    collect: () => [{ value: health().peers }],
  });
  const roundTrip = shared.roundTrip?.bind(shared);
  if (roundTrip === undefined) return;
  sampled(registry, {
    name: 'mpcrp_cluster_redis_round_trip_seconds',
    help: 'Seconds of one PING to Redis, taken at scrape time; absent while Redis is away.',
    type: 'gauge',
    collect: async () => {
      const seconds = await roundTrip().catch(() => undefined);
      return seconds === undefined ? [] : [{ value: seconds }];
    },
  });
}

/** /readyz's `redis` check: ready only while the link is up (not down, not settling). */
export function clusterReadiness(shared: ServerRegistry): (() => boolean) | undefined {
  const health = shared.health?.bind(shared);
  return health === undefined ? undefined : () => health().link === 'up';
}
