import { MAX_DATES_PER_RUN } from '../functions/plan-dates/plan';
import { isReportDate, REPORT_YEARS } from '../core/report-date';
import { usageError } from './errors';

/** A --date value, or a usage error that says what is accepted. */
export function checkReportDate(value: string, flag = '--date'): string {
  if (isReportDate(value)) return value;
  const year = /^(\d{4})-\d{2}-\d{2}$/.exec(value)?.[1];
  if (year !== undefined && (Number(year) < REPORT_YEARS.min || Number(year) > REPORT_YEARS.max)) {
    throw usageError(
      `${flag} must be from ${REPORT_YEARS.min}-01-01 to ${REPORT_YEARS.max}-12-31, the range createdtime accepts, got "${value}"`,
    );
  }
  throw usageError(`${flag} must be a real date written YYYY-MM-DD, got "${value}"`);
}

/** Every date from `from` to `to`, inclusive. */
export function dateRange(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export type AskedDates = { readonly date: string } | { readonly from: string; readonly to: string };

/**
 * The days a command was asked for: `--date D`, or `--from D1 --to D2` (inclusive, in order,
 * at most MAX_DATES_PER_RUN days: what one job run reports).
 */
export function askedDates(
  values: { date?: string; from?: string; to?: string },
  usage: string,
): { asked: AskedDates; dates: string[] } {
  const range = values.from !== undefined || values.to !== undefined;
  if (range && values.date !== undefined) throw usageError(`use --date or --from/--to, not both (usage: ${usage})`);
  if (!range) {
    if (values.date === undefined) throw usageError(`--date or --from/--to is required (usage: ${usage})`);
    const date = checkReportDate(values.date);
    return { asked: { date }, dates: [date] };
  }
  if (values.from === undefined || values.to === undefined) {
    throw usageError(`--from and --to go together (usage: ${usage})`);
  }
  const from = checkReportDate(values.from, '--from');
  const to = checkReportDate(values.to, '--to');
  if (from > to) throw usageError(`--from ${from} is after --to ${to}`);
  const dates = dateRange(from, to);
  if (dates.length > MAX_DATES_PER_RUN) {
    throw usageError(`--from ${from} --to ${to} covers ${dates.length} days; at most ${MAX_DATES_PER_RUN} at a time`);
  }
  return { asked: { from, to }, dates };
}
