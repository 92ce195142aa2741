import type { Registry } from 'prom-client';
import { MessageType } from '../protocol/types.js';
import type { MpcrpServer } from '../server/server.js';
import { LIMITS, type ServerStats } from '../server/stats.js';
import { type Sample, sampled, sampledHistogram } from './sampled.js';

/** Message type names by type byte, for the `type` label; other bytes count as `other`. */
const TYPE_NAMES = new Map<number, string>(Object.entries(MessageType).map(([n, t]) => [t, n]));

function byType(counts: Float64Array): Sample[] {
  const out: Sample[] = [];
  let other = 0;
  for (let t = 0; t < counts.length; t++) {
    const value = counts[t]!;
    if (value === 0) continue;
    const name = TYPE_NAMES.get(t);
    if (name === undefined) other += value;
    else out.push({ labels: { type: name }, value });
  }
  if (other > 0) out.push({ labels: { type: 'other' }, value: other });
  return out;
}

function byKey(record: Record<string, number>, label: string): Sample[] {
  return Object.entries(record).map(([key, value]) => ({ labels: { [label]: key }, value }));
}

/**
 * Registers the `mpcrp_*` metrics of a server (`serve --http`) on `registry`. Every value is
 * read from `stats` and the server at scrape time. A cluster node's own (Redis round trip,
 * held messages) are in cluster-metrics.ts.
 */
export function registerServerMetrics(
  registry: Registry,
  server: MpcrpServer,
  stats: ServerStats,
): void {
  sampled(registry, {
    name: 'mpcrp_connections',
    help: 'Client connections open now, by listener (tcp, tls, memory).',
    type: 'gauge',
    collect: () => byKey(stats.open, 'listener'),
  });
  sampled(registry, {
    name: 'mpcrp_connections_accepted_total',
    help: 'Client connections accepted since start, by listener (refusals are in mpcrp_limit_hits_total).',
    type: 'counter',
    collect: () => byKey(stats.accepted, 'listener'),
  });
  sampled(registry, {
    name: 'mpcrp_users',
    help: 'Users registered (with a username) on this server.',
    type: 'gauge',
    collect: () => [{ value: server.userCount }],
  });
  sampled(registry, {
    name: 'mpcrp_rooms',
    help: 'Rooms that exist, as the registry sees them (in a cluster: all nodes).',
    type: 'gauge',
    collect: async () => [{ value: (await server.registry.listRooms()).length }],
  });
  sampled(registry, {
    name: 'mpcrp_frames_received_total',
    help: 'Frames received from clients, by message type.',
    type: 'counter',
    collect: () => byType(stats.framesIn),
  });
  sampled(registry, {
    name: 'mpcrp_frames_sent_total',
    help: 'Frames queued to clients, by message type.',
    type: 'counter',
    collect: () => byType(stats.framesOut),
  });
  sampled(registry, {
    name: 'mpcrp_received_bytes_total',
    help: 'Bytes received from clients.',
    type: 'counter',
    collect: () => [{ value: stats.bytesIn }],
  });
  sampled(registry, {
    name: 'mpcrp_sent_bytes_total',
    help: 'Bytes of frames queued to clients (output later dropped with a slow consumer included).',
    type: 'counter',
    collect: () => [{ value: stats.bytesOut }],
  });
  sampled(registry, {
    name: 'mpcrp_data_relayed_total',
    help: 'Data messages relayed to their room.',
    type: 'counter',
    collect: () => [{ value: stats.dataRelayed }],
  });
  sampled(registry, {
    name: 'mpcrp_data_deliveries_total',
    help: 'Relayed messages queued to recipients (Data and DataFrom frames sent).',
    type: 'counter',
    collect: () => [
      { value: stats.framesOut[MessageType.Data]! + stats.framesOut[MessageType.DataFrom]! },
    ],
  });
  sampled(registry, {
    name: 'mpcrp_data_dropped_total',
    help: 'Data messages not relayed, by reason (notMember, malformed, unregistered).',
    type: 'counter',
    collect: () => byKey(stats.dataDropped, 'reason'),
  });
  sampled(registry, {
    name: 'mpcrp_malformed_frames_total',
    help: 'Frames dropped as malformed (any type); past maxMalformedFrames a connection is closed.',
    type: 'counter',
    collect: () => [{ value: stats.malformedFrames }],
  });
  sampled(registry, {
    name: 'mpcrp_limit_hits_total',
    help: 'Times a server limit refused, throttled or disconnected a client, by limit (the option name).',
    type: 'counter',
    collect: () => LIMITS.map((limit) => ({ labels: { limit }, value: stats.limits[limit] })),
  });
  sampled(registry, {
    name: 'mpcrp_tls_handshake_failures_total',
    help: 'TLS handshakes that failed, by reason (timeout, notTls, oldProtocol, reset, other).',
    type: 'counter',
    collect: () => byKey(stats.tlsHandshakeFailures, 'reason'),
  });
  sampledHistogram(registry, {
    name: 'mpcrp_fanout_seconds',
    help: 'Seconds from handling a Data message (registry lookup included) to queueing it for its last recipient; one message in 16 is timed.',
    collect: () => [{ counts: stats.fanoutSeconds }],
  });
}
