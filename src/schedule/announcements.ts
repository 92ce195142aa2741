import type { AnnouncementEntry } from '../config/types.js';
import { type Logger, silentLogger } from '../log.js';
import { localTimezone } from './cron.js';
import { renderPlaceholders } from './placeholders.js';
import { type ScheduledJob, schedule } from './scheduler.js';

/** One message due in one room; exactly one of text / command is set. */
export interface AnnouncementDelivery {
  room: string;
  /** Text to send as is. */
  text?: string;
  /** A bot command (e.g. `!roll 1d6`) to run as if said in the room. */
  command?: string;
  /** When the fire was due. */
  firedAt: Date;
  /** Milliseconds after firedAt past which the delivery is stale and should be dropped. */
  maxDelay: number;
  /** The announcement's name. */
  name: string;
}

export interface AnnouncementSink {
  deliver(delivery: AnnouncementDelivery): void;
  logger?: Logger;
}

/** Announcement settings as used here; a validated config entry fits. */
export type Announcement = Pick<AnnouncementEntry, 'name' | 'cron' | 'rooms'> &
  Partial<Omit<AnnouncementEntry, 'name' | 'cron' | 'rooms'>>;

const DEFAULT_MAX_DELAY = 10 * 60_000;

/**
 * Schedules every enabled announcement. At each fire, each of its rooms gets one delivery,
 * with placeholders filled in the announcement's time zone. A throwing sink is logged and
 * does not stop the other rooms or later fires.
 *
 * @example
 * const running = startAnnouncements(config.announcements, {
 *   deliver: (d) => outbox.push(d),
 *   logger,
 * });
 * running.stop();
 */
export function startAnnouncements(
  list: readonly Announcement[],
  sink: AnnouncementSink,
): { stop(): void; jobs: ScheduledJob[] } {
  const logger = sink.logger ?? silentLogger;
  const jobs: ScheduledJob[] = [];
  try {
    for (const a of list) {
      if (a.enabled === false) {
        logger.debug('announcement disabled', { announcement: a.name });
        continue;
      }
      const timezone = a.timezone ?? localTimezone();
      const job = schedule(
        a.cron,
        {
          name: a.name,
          timezone,
          ...(a.startAt ? { startAt: a.startAt } : {}),
          ...(a.stopAt ? { stopAt: a.stopAt } : {}),
          ...(a.maxRuns ? { maxRuns: a.maxRuns } : {}),
          logger,
        },
        ({ run, scheduledAt }) => {
          for (const room of a.rooms) {
            const values = { at: scheduledAt, timezone, name: a.name, run, room };
            const delivery: AnnouncementDelivery = {
              room,
              firedAt: scheduledAt,
              maxDelay: a.maxDelay ?? DEFAULT_MAX_DELAY,
              name: a.name,
              ...(a.command !== undefined
                ? { command: renderPlaceholders(a.command, values) }
                : { text: renderPlaceholders(a.text ?? '', values) }),
            };
            try {
              sink.deliver(delivery);
            } catch (error) {
              logger.error('announcement delivery failed', { announcement: a.name, room, error });
            }
          }
        },
      );
      jobs.push(job);
    }
  } catch (error) {
    // All or nothing: a bad entry must not leave earlier ones firing unowned.
    for (const job of jobs) job.stop();
    throw error;
  }
  return {
    jobs,
    stop() {
      for (const job of jobs) job.stop();
    },
  };
}
