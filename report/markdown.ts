/**
 * Rendering of the report rows to response.md and report.json. spark/report_job.py renders
 * the same bytes; the golden fixtures in __tests__/fixtures/report hold both to it.
 */
import { NO_VISITS, type DayVisits } from './visits';
import { visitsMarkdown } from './visits-markdown';
import { DEFAULT_ROWS_PER_CALLER } from '../core/report-listing';
export interface ReportRow {
  readonly createdTime: string;
  readonly callerid: string;
  readonly component: string;
  readonly count: number;
  /** Copies of this group's clicks that were delivered again, and not counted. */
  readonly duplicates: number;
}

/** What the job read for a day: its partition's data files, their rows, and which files they were. */
export interface InputRead {
  readonly files: number;
  readonly rows: number;
  /** The newest file's modification time, ISO-8601 with milliseconds; null without files. */
  readonly newest: string | null;
  /** inputDigest of the file names: a later run compares it to know whether files came since. */
  readonly digest: string;
}

export const REPORT_COLUMNS = ['createdTime', 'callerid', 'component', 'count'] as const;

export { escapeCell } from './markdown-cell';
import { escapeCell } from './markdown-cell';

const plural = (n: number, word: string) =>
  n === 1 ? `${n} ${word}` : word.endsWith('y') ? `${n} ${word.slice(0, -1)}ies` : `${n} ${word}s`;
const sum = (rows: readonly ReportRow[], key: 'count' | 'duplicates') => rows.reduce((n, row) => n + row[key], 0);

export function summaryLine(date: string, rows: readonly ReportRow[]): string {
  if (rows.length === 0) return `No clicks on ${date}.`;
  const duplicates = sum(rows, 'duplicates');
  const dropped = duplicates > 0 ? `; ${plural(duplicates, 'duplicate delivery')} not counted` : '';
  return `${plural(sum(rows, 'count'), 'click')} in ${plural(rows.length, 'group')}${dropped}.`;
}

export interface Unlisted {
  readonly callerid: string;
  readonly rows: number;
  readonly clicks: number;
}

/**
 * Each caller's rows, at most `rowsPerCaller` of them, those with the most clicks (ties: the
 * earlier in the report's order), still in that order; and what each caller has beyond them.
 * Rows come grouped by caller (report.sql's order). Only counts and places are compared, so
 * spark/report_render.py picks the same rows.
 */
export function listedRows(
  rows: readonly ReportRow[],
  rowsPerCaller: number,
): { listed: ReportRow[]; unlisted: Unlisted[] } {
  const listed: ReportRow[] = [];
  const unlisted: Unlisted[] = [];
  for (let start = 0; start < rows.length;) {
    let end = start;
    while (end < rows.length && rows[end].callerid === rows[start].callerid) end++;
    const group = rows.slice(start, end);
    if (group.length <= rowsPerCaller) {
      listed.push(...group);
    } else {
      const order = group.map((_, i) => i).sort((a, b) => group[b].count - group[a].count || a - b);
      const kept = new Set(order.slice(0, rowsPerCaller));
      listed.push(...group.filter((_, i) => kept.has(i)));
      const left = group.filter((_, i) => !kept.has(i));
      unlisted.push({ callerid: group[0].callerid, rows: left.length, clicks: sum(left, 'count') });
    }
    start = end;
  }
  return { listed, unlisted };
}

function unlistedLines(unlisted: readonly Unlisted[], rowsPerCaller: number): string[] {
  if (unlisted.length === 0) return [];
  const each = unlisted.map(
    (u) => `${escapeCell(u.callerid)}, ${plural(u.rows, 'row')} (${plural(u.clicks, 'click')})`,
  );
  return [
    `Listed: at most ${plural(rowsPerCaller, 'row')} a caller, those with the most clicks; report.json has every row. Not listed: ${each.join('; ')}.`,
    '',
  ];
}

export function renderMarkdown(
  date: string,
  rows: readonly ReportRow[],
  visits: DayVisits = NO_VISITS,
  rowsPerCaller = DEFAULT_ROWS_PER_CALLER,
): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  const { listed, unlisted } = listedRows(rows, rowsPerCaller);
  return [
    `# Click report for ${date}`,
    '',
    summaryLine(date, rows),
    '',
    line(REPORT_COLUMNS),
    line(REPORT_COLUMNS.map(() => '---')),
    ...listed.map((row) =>
      line([escapeCell(row.createdTime), escapeCell(row.callerid), escapeCell(row.component), row.count]),
    ),
    '',
    ...unlistedLines(unlisted, rowsPerCaller),
    ...visitsMarkdown(visits),
  ].join('\n');
}

export function renderJson(
  date: string,
  rows: readonly ReportRow[],
  read: InputRead,
  visits: DayVisits = NO_VISITS,
): string {
  const document = {
    date,
    total: sum(rows, 'count'),
    duplicates: sum(rows, 'duplicates'),
    rows: rows.map(({ createdTime, callerid, component, count, duplicates }) => ({
      createdTime,
      callerid,
      component,
      count,
      duplicates,
    })),
    funnels: visits.funnels,
    visits: visits.visits,
    read: { files: read.files, rows: read.rows, newest: read.newest, digest: read.digest },
  };
  return `${JSON.stringify(document)}\n`;
}
