/**
 * The report's SQL, read from spark/: the files the Spark job runs too.
 *   day_clicks.sql   the day's clicks, each once (materialized as the table day_clicks)
 *   report.sql       the counts, from day_clicks
 *   visits.sql, visit_paths.sql, funnels.sql   what visits did, from day_clicks (and funnel_steps)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT_SQL_FILES } from '../core/contracts';

export type ReportQuery = keyof typeof REPORT_SQL_FILES;

const SPARK_DIR = path.resolve(__dirname, '..', 'spark');
const cache = new Map<ReportQuery, string>();

export function reportSql(query: ReportQuery = 'counts'): string {
  let sql = cache.get(query);
  if (sql === undefined) {
    sql = fs.readFileSync(path.join(SPARK_DIR, REPORT_SQL_FILES[query]), 'utf8');
    cache.set(query, sql);
  }
  return sql;
}
