/** The report SQL, read from spark/report.sql: the file the Spark job runs too. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPORT_SQL_PATH = path.resolve(__dirname, '..', 'spark', 'report.sql');

let cached: string | undefined;
export function reportSql(): string {
  cached ??= fs.readFileSync(REPORT_SQL_PATH, 'utf8');
  return cached;
}
