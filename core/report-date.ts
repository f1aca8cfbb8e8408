import { CREATED_TIME_YEARS } from './created-time';

/**
 * The report date (`InputDate`): a real calendar day as YYYY-MM-DD.
 * The pattern admits digits and dashes only, so no Hadoop glob character
 * (`* ? [ ] { } \`) can reach an S3 path built from it.
 */
const REPORT_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A report date is an event date, so it falls in the years a createdtime may. */
export const REPORT_YEARS = CREATED_TIME_YEARS;

export function isReportDate(value: unknown): boolean {
  if (typeof value !== 'string' || !REPORT_DATE_PATTERN.test(value)) return false;
  if (Number(value.slice(0, 4)) < REPORT_YEARS.min) return false;
  const parsed = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** The UTC day before `now`: the default report date. */
export function yesterdayUtc(now: Date): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/** `2023-02-08` → `2023/02/08`: the report's key prefix in the output bucket. */
export function reportKeyPrefix(date: string): string {
  return date.replaceAll('-', '/');
}

/** The last date that createdtime accepts. */
export const LAST_DATE = '9999-12-31';

/**
 * Where the clicks of `date` (YYYY-MM-DD) end, excluded, in report.sql's string terms: the day
 * after. The last date has none in four digits, so its bound is `9999-12-32`, a string after
 * every instant of that day.
 */
export function nextDate(date: string): string {
  if (date === LAST_DATE) return '9999-12-32';
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}
