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

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function offsetMs(instant: number, timeZone: string): number {
  const offset = zonedParts(new Date(instant), timeZone).offset;
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':');
  return sign * (Number(h) * 60 + Number(m ?? 0)) * 60_000;
}

/**
 * Reads an ISO 8601 date or date-time. Without an offset it is wall-clock time in `timeZone`
 * (the machine's when omitted), as a person writing `startAt: 2026-03-01 09:00` means.
 * Returns `undefined` when the text is not such a date.
 *
 * @example
 * parseZonedDate('2026-03-01T09:00', 'Europe/Berlin'); // 2026-03-01T08:00:00.000Z
 */
export function parseZonedDate(text: string, timeZone?: string): Date | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms);
  const check = new Date(wall);
  if (
    check.getUTCMonth() !== mo! - 1 ||
    check.getUTCDate() !== d! ||
    h! > 23 ||
    mi! > 59 ||
    s! > 59
  )
    return undefined;
  const zone = m[8];
  if (zone !== undefined) {
    if (zone.toUpperCase() === 'Z') return check;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    return new Date(wall - sign * minutes * 60_000);
  }
  if (timeZone === undefined) return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms);
  // Two passes settle the offset next to a DST change.
  const first = wall - offsetMs(wall, timeZone);
  const second = wall - offsetMs(first, timeZone);
  return new Date(second);
}
