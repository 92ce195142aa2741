import type { Figure, Row } from './row.js';

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function figure(f: Figure | undefined): string {
  return f ? `${number(f.value)} ${f.unit}` : '';
}

/** The results as a Markdown table: readable on a terminal and pasted as-is into the doc. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['scenario', 'server', 'yardstick', 'ratio', 'goal', 'met', 'notes'];
  const lines = rows.map((r) => [
    r.scenario,
    r.status === 'ok' ? figure(r.server) : r.status,
    r.yardstick ? `${figure(r.yardstick)} (${r.yardstick.name})` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(r.ratio < 10 ? 3 : 1)}x`,
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    r.notes ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
