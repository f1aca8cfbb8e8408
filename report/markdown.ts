/**
 * Rendering of the report rows to response.md and report.json. spark/report_job.py renders
 * the same bytes; the golden fixtures in __tests__/fixtures/report hold both to it.
 */
export interface ReportRow {
  readonly createdTime: string;
  readonly callerid: string;
  readonly component: string;
  readonly count: number;
}

export const REPORT_COLUMNS = ['createdTime', 'callerid', 'component', 'count'] as const;

/** `\` → `\\`, `|` → `\|`, and each line break (CRLF, CR or LF) → one space. */
export function escapeCell(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, ' ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summaryLine(date: string, rows: readonly ReportRow[]): string {
  if (rows.length === 0) return `No clicks on ${date}.`;
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return `${plural(total, 'click')} in ${plural(rows.length, 'group')}.`;
}

export function renderMarkdown(date: string, rows: readonly ReportRow[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    `# Click report for ${date}`,
    '',
    summaryLine(date, rows),
    '',
    line(REPORT_COLUMNS),
    line(REPORT_COLUMNS.map(() => '---')),
    ...rows.map((row) =>
      line([escapeCell(row.createdTime), escapeCell(row.callerid), escapeCell(row.component), row.count]),
    ),
    '',
  ].join('\n');
}

export function renderJson(date: string, rows: readonly ReportRow[]): string {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return `${JSON.stringify({ date, total, rows })}\n`;
}
