/** The report SQL, read from spark/report.sql: the file the Spark job runs too. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isReportDate, nextDate } from '../core/report-date';

const REPORT_SQL_PATH = path.resolve(__dirname, '..', 'spark', 'report.sql');

let cached: string | undefined;
export function reportSql(): string {
  cached ??= fs.readFileSync(REPORT_SQL_PATH, 'utf8');
  return cached;
}

/**
 * report.sql for one date: :report_date and :next_date bound to string literals, as the Spark
 * job binds them (`bind_report_sql`). Only a real YYYY-MM-DD date is bound.
 */
export function reportSqlFor(date: string, sql: string = reportSql()): string {
  if (!isReportDate(date)) throw new Error(`invalid report date "${date}": use YYYY-MM-DD`);
  return sql.replaceAll(':report_date', `'${date}'`).replaceAll(':next_date', `'${nextDate(date)}'`);
}
