import type { Argv } from 'yargs';
import { formatDuration } from '../../config/duration.js';
import type { AnnouncementEntry } from '../../config/types.js';
import { localTimezone } from '../../schedule/cron.js';
import { formatInZone } from '../../schedule/format.js';
import { upcomingRuns } from '../../schedule/preview.js';
import { guarded } from '../cli-exit.js';
import { warn, writeLine } from '../io.js';
import { loadForDisplay, nextFlag, warnNeverFiring } from './config.js';

export const command = 'schedule <action> [file]';
export const describe = 'list: show the upcoming announcement fires from the configuration';

export function builder(y: Argv): Argv {
  return y
    .positional('action', { choices: ['list'], describe: 'what to do', type: 'string' })
    .positional('file', {
      type: 'string',
      describe: 'config file (default: -c, MPCRP_CONFIG, ./mpcrp-bot.yaml, then the per-user file)',
    })
    .option('next', {
      type: 'string',
      alias: 'n',
      requiresArg: true,
      describe: 'fire times shown per announcement (default 5)',
    })
    .example('$0 schedule list --next 10', 'the next 10 fires of each announcement')
    .example('$0 schedule list examples/announcer.yaml', 'the fires of another file');
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

/** A bad flag (`-n abc`) is a usage error, exit 2, in one line. */
export function handler(argv: Record<string, unknown>): Promise<number> {
  return guarded(() => list(argv));
}

async function list(argv: Record<string, unknown>): Promise<number> {
  const n = nextFlag(argv, 'schedule list', 5);
  const file = typeof argv.file === 'string' && argv.file !== '' ? argv.file : undefined;
  const loaded = await loadForDisplay(argv, file);
  if (!loaded) return 2;
  await warnNeverFiring(loaded.settings.announcements);
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
