import { isReportDate, REPORT_YEARS } from '../functions/shared/report-date';
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
