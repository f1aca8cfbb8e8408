/** The days of `clicklogger report`, read from their report.json files for the HTML page. */
import { z } from 'zod';
import { REPORT_FILES } from '../core/contracts';
import type { HtmlDay } from '../report/html';
import { CliError } from './errors';
import type { ReportSource } from './report-sources';

/** What the page needs of a report.json (report/markdown.ts renderJson writes it). */
const count = z.number().int().nonnegative();
const ReportJson = z.object({
  date: z.string(),
  rows: z.array(z.object({ component: z.string(), count, callerid: z.string() })),
  // Reports written before visits were reported have neither.
  funnels: z
    .array(
      z.object({
        name: z.string(),
        callerid: z.string(),
        steps: z.array(z.object({ component: z.string(), visits: count })).min(1),
      }),
    )
    .optional(),
  visits: z.array(z.object({ callerid: z.string(), visits: count })).optional(),
});

/** A day's rows, or null and why (a missing report, or what is wrong with it). */
export function dayFromReportJson(date: string, text: string): HtmlDay {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { date, rows: null, problem: `${REPORT_FILES.json} is not valid JSON` };
  }
  const parsed = ReportJson.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { date, rows: null, problem: `${REPORT_FILES.json} is not a clicklogger report (${issue.message}${where})` };
  }
  if (parsed.data.date !== date) {
    return { date, rows: null, problem: `${REPORT_FILES.json} is the report of ${parsed.data.date}` };
  }
  const { rows, funnels, visits } = parsed.data;
  return { date, rows, trends: { funnels: funnels ?? [], visits: visits ?? [] } };
}

const PARALLEL_READS = 8;

/** Each date's file from the source, read a few at a time, in date order. */
export async function readEach<T>(dates: readonly string[], read: (date: string) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(dates.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < dates.length; i = next++) results[i] = await read(dates[i]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, dates.length) }, worker));
  return results;
}

/** The page's days. Fails in one line when none of them has a report: there is nothing to draw. */
export async function readHtmlDays(source: ReportSource, dates: readonly string[]): Promise<HtmlDay[]> {
  const days = await readEach(dates, async (date): Promise<HtmlDay> => {
    const file = await source.read(date, REPORT_FILES.json);
    if ('text' in file) return dayFromReportJson(date, file.text);
    return { date, rows: null, problem: 'missing' in file ? 'missing' : `unreadable: ${file.unreadable}` };
  });
  if (days.every((day) => day.rows === null))
    throw noReport(
      source,
      dates,
      days.find((day) => day.problem !== 'missing'),
    );
  return days;
}

/** Not one of `dates` has a report in `source`: one line, naming what was wrong with one, if anything was. */
export function noReport(
  source: ReportSource,
  dates: readonly string[],
  bad?: { date: string; problem?: string },
): CliError {
  const span = dates.length === 1 ? dates[0] : `${dates[0]} to ${dates[dates.length - 1]}`;
  return new CliError(`no report for ${span} in ${source.where}${bad ? ` (${bad.date}: ${bad.problem})` : ''}`);
}
