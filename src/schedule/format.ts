export interface ZonedParts {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  time: string;
  /** HH:MM:SS */
  seconds: string;
  /** +02:00, or Z for UTC */
  offset: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of `date` in `timeZone`. */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, '') || 'Z';
  const hm = `${parts.hour}:${parts.minute}`;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: hm,
    seconds: `${hm}:${parts.second}`,
    offset,
  };
}

/**
 * ISO 8601 with the zone's offset, e.g. `2026-03-30T09:55:00+02:00`.
 *
 * @example
 * formatInZone(new Date('2026-03-30T07:55:00Z'), 'Europe/Berlin'); // '2026-03-30T09:55:00+02:00'
 */
export function formatInZone(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.date}T${p.seconds}${p.offset}`;
}
