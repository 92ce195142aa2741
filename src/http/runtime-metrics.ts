import type { Registry } from 'prom-client';
import type { BotRuntime } from '../runtime/create.js';
import type { RuntimeStats } from '../runtime/stats.js';
import { type Sample, sampled, sampledHistogram } from './sampled.js';

/** Connection changes the runtime reports by event, counted here so the runtime need not. */
export interface SessionCounts {
  reconnects: number;
  disconnects: number;
}

/** Counts the runtime's `ready` (after a drop) and `disconnected` events from now on. */
export function countSessions(runtime: BotRuntime): SessionCounts {
  const counts: SessionCounts = { reconnects: 0, disconnects: 0 };
  runtime.on('ready', ({ reconnected }) => {
    if (reconnected) counts.reconnects += 1;
  });
  runtime.on('disconnected', () => {
    counts.disconnects += 1;
  });
  return counts;
}

function perPlugin(stats: RuntimeStats, pick: 'runs' | 'errors'): Sample[] {
  const out: Sample[] = [];
  for (const [plugin, counts] of stats.plugins) {
    for (const [hook, value] of counts[pick]) out.push({ labels: { plugin, hook }, value });
  }
  return out;
}

/**
 * Registers the `mpcrp_bot_*` metrics of a bot runtime (`run --http`) on `registry`, read
 * at scrape time from the runtime, its outbox and `stats`.
 */
export function registerRuntimeMetrics(
  registry: Registry,
  runtime: BotRuntime,
  stats: RuntimeStats,
  sessions: SessionCounts,
): void {
  sampled(registry, {
    name: 'mpcrp_bot_connected',
    help: '1 while the bot is connected to its server, else 0.',
    type: 'gauge',
    collect: () => [{ value: runtime.connected ? 1 : 0 }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_reconnects_total',
    help: 'Sessions set up again after the connection dropped.',
    type: 'counter',
    collect: () => [{ value: sessions.reconnects }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_disconnects_total',
    help: 'Times the connection to the server dropped.',
    type: 'counter',
    collect: () => [{ value: sessions.disconnects }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_hook_runs_total',
    help: 'Hooks run, by plugin and hook (as in the logs, e.g. "command !roll", "onJoin").',
    type: 'counter',
    collect: () => perPlugin(stats, 'runs'),
  });
  sampled(registry, {
    name: 'mpcrp_bot_hook_errors_total',
    help: 'Hooks (setup and middleware included) that threw or rejected, by plugin and hook.',
    type: 'counter',
    collect: () => perPlugin(stats, 'errors'),
  });
  sampledHistogram(registry, {
    name: 'mpcrp_bot_hook_duration_seconds',
    help: 'Seconds each hook took, by plugin.',
    collect: () =>
      [...stats.plugins].map(([plugin, counts]) => ({
        labels: { plugin },
        counts: counts.seconds,
      })),
  });
  sampled(registry, {
    name: 'mpcrp_bot_outbox_depth',
    help: 'Messages waiting in the outbox, by room (rooms with none are left out).',
    type: 'gauge',
    collect: () =>
      [...runtime.outboxDepths()].map(([room, value]) => ({ labels: { room }, value })),
  });
  sampled(registry, {
    name: 'mpcrp_bot_messages_sent_total',
    help: 'Messages (frames) the outbox sent.',
    type: 'counter',
    collect: () => [{ value: runtime.outboxStats.sent }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_messages_dropped_total',
    help: 'Messages the outbox dropped, by reason (overflow: full; expired: past its deadline; discarded: room gone, too long, or shutdown).',
    type: 'counter',
    collect: () => {
      const s = runtime.outboxStats;
      return [
        { labels: { reason: 'overflow' }, value: s.overflowed },
        { labels: { reason: 'expired' }, value: s.expired },
        { labels: { reason: 'discarded' }, value: s.discarded },
      ];
    },
  });
  sampled(registry, {
    name: 'mpcrp_bot_messages_resent_total',
    help: 'Messages the outbox sent again after a reconnect because the server had not confirmed them.',
    type: 'counter',
    collect: () => [{ value: runtime.outboxStats.resent }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_outbox_unconfirmed',
    help: 'Messages written to the server and not yet confirmed by it (resent if the connection drops first).',
    type: 'gauge',
    collect: () => [{ value: runtime.outboxStats.unconfirmed }],
  });
  const a = stats.announcements;
  sampled(registry, {
    name: 'mpcrp_bot_announcements_fired_total',
    help: 'Announcement deliveries (one per room and fire).',
    type: 'counter',
    collect: () => [{ value: a.fired }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_announcements_skipped_total',
    help: 'Announcement deliveries not sent: not queued (outbox full) or dropped past maxDelay.',
    type: 'counter',
    collect: () => [{ value: a.skipped + runtime.outboxStats.expired }],
  });
  sampled(registry, {
    name: 'mpcrp_bot_announcements_late_total',
    help: 'Announcement fires that reached the bot more than 1 s after their time.',
    type: 'counter',
    collect: () => [{ value: a.late }],
  });
}
