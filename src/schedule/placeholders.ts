import { zonedParts } from './format.js';

/** The placeholders announcement text and commands may use. `{{` and `}}` are literal braces. */
export const PLACEHOLDERS = ['date', 'time', 'name', 'run', 'room'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface PlaceholderValues {
  /** When the fire was due. */
  at: Date;
  timezone: string;
  name: string;
  run: number;
  room: string;
}

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}/g;

/** Why `text` uses an unknown placeholder, or `undefined` when all are known. */
export function placeholderProblem(text: string): string | undefined {
  for (const match of text.matchAll(TOKEN)) {
    const name = match[1];
    if (name !== undefined && !(PLACEHOLDERS as readonly string[]).includes(name)) {
      return `uses the unknown placeholder {${name}}`;
    }
  }
  return undefined;
}

export const PLACEHOLDERS_EXPECTED = `text with placeholders ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')} only; write {{ and }} for literal braces`;

/**
 * Fills `{date}` (YYYY-MM-DD), `{time}` (HH:MM, both in the announcement's time zone),
 * `{name}`, `{run}` (1 for the first fire) and `{room}`.
 *
 * @example
 * renderPlaceholders('Standup at {time}', { at, timezone: 'Europe/Berlin', name: 'standup', run: 1, room: 'team' });
 */
export function renderPlaceholders(text: string, values: PlaceholderValues): string {
  let parts: ReturnType<typeof zonedParts> | undefined;
  return text.replace(TOKEN, (whole, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    switch (name) {
      case 'date':
        parts ??= zonedParts(values.at, values.timezone);
        return parts.date;
      case 'time':
        parts ??= zonedParts(values.at, values.timezone);
        return parts.time;
      case 'name':
        return values.name;
      case 'run':
        return String(values.run);
      case 'room':
        return values.room;
      default:
        return whole;
    }
  });
}
