import type { Argv } from 'yargs';
import { formatDuration } from '../../config/duration.js';
import type { AnnouncementEntry } from '../../config/types.js';
import { localTimezone } from '../../schedule/cron.js';
import { formatInZone } from '../../schedule/format.js';
import { upcomingRuns } from '../../schedule/preview.js';
import { warn, writeLine } from '../io.js';
import { loadForDisplay } from './config.js';

export const command = 'schedule <action>';
export const describe = 'list: show the upcoming announcement fires from the configuration';

export function builder(y: Argv): Argv {
  return y
    .positional('action', { choices: ['list'], describe: 'what to do', type: 'string' })
    .option('next', {
      type: 'number',
      alias: 'n',
      default: 5,
      describe: 'fire times shown per announcement',
    })
    .example('$0 schedule list --next 10', 'the next 10 fires of each announcement');
}

/** Announcements as printed by `config check`: settings plus their next fire times. */
export function describeAnnouncements(
  list: readonly AnnouncementEntry[],
  n: number,
  from: Date = new Date(),
): Array<Record<string, unknown>> {
  return list.map((a) => {
    const timezone = a.timezone ?? localTimezone();
    const out: Record<string, unknown> = {
      name: a.name,
      cron: a.cron,
      timezone: a.timezone ?? `${timezone} (machine)`,
      rooms: a.rooms,
      ...(a.text !== undefined ? { text: a.text } : { command: a.command }),
      enabled: a.enabled,
    };
    if (a.startAt) out.startAt = formatInZone(a.startAt, timezone);
    if (a.stopAt) out.stopAt = formatInZone(a.stopAt, timezone);
    if (a.maxRuns !== undefined) out.maxRuns = a.maxRuns;
    out.maxDelay = formatDuration(a.maxDelay);
    out.next = a.enabled ? upcomingRuns(a, n, from).map((d) => formatInZone(d, timezone)) : [];
    return out;
  });
}

/**
 * One line per fire, soonest first: `TIME<TAB>NAME<TAB>ROOMS<TAB>TEXT`, TIME in the
 * announcement's zone with its offset, so `sort` and `cut` work on the output.
 */
export function listLines(
  list: readonly AnnouncementEntry[],
  n: number,
  from: Date = new Date(),
): string[] {
  const fires: Array<{ at: Date; line: string }> = [];
  for (const a of list) {
    if (!a.enabled) continue;
    const timezone = a.timezone ?? localTimezone();
    const what = a.text !== undefined ? a.text : `command: ${a.command}`;
    for (const at of upcomingRuns(a, n, from)) {
      fires.push({
        at,
        line: [formatInZone(at, timezone), a.name, a.rooms.join(','), what].join('\t'),
      });
    }
  }
  return fires.sort((x, y) => x.at.getTime() - y.at.getTime()).map((f) => f.line);
}

export async function handler(argv: Record<string, unknown>): Promise<number> {
  const loaded = await loadForDisplay(argv);
  if (!loaded) return 2;
  const n = Math.max(0, Math.floor(Number(argv.next ?? 5)) || 0);
  const { maskSecrets } = await import('../../config/present.js');
  const announcements = maskSecrets(
    loaded.settings.announcements,
    loaded.config.secretValues,
  ) as AnnouncementEntry[];
  const lines = listLines(announcements, n);
  if (lines.length === 0) {
    warn(
      announcements.length === 0
        ? `no announcements in ${loaded.config.file}`
        : 'no upcoming fires (all announcements disabled, ended, or past stopAt)',
    );
  }
  for (const line of lines) await writeLine(line);
  return 0;
}
