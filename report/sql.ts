/**
 * The report's SQL, read from spark/: the files the Spark job runs too.
 *   day_clicks.sql   the day's clicks, each once (materialized as the table day_clicks)
 *   report.sql       the counts, from day_clicks
 *   visits.sql, visit_paths.sql, funnels.sql   what visits did, from day_clicks (and funnel_steps)
 * The one engine-specific part, day_clicks.sql's click_key_hash(...), is bound here for DuckDB.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT_SQL_FILES } from '../core/contracts';

export type ReportQuery = keyof typeof REPORT_SQL_FILES;

const SPARK_DIR = path.resolve(__dirname, '..', 'spark');
const cache = new Map<ReportQuery, string>();

/** DuckDB's 64-bit hash, for the placeholder click_key_hash(...); `$1` stands for its arguments. */
export const DUCKDB_CLICK_KEY_HASH = 'hash($1)';
const CLICK_KEY_HASH = /click_key_hash\(([^()]*)\)/g;

/**
 * A report query's text for DuckDB. `clickKeyHash` replaces every click_key_hash(...) call: a
 * test passes a hash of a few values to force collisions, which must change no result.
 */
export function reportSql(query: ReportQuery = 'counts', clickKeyHash = DUCKDB_CLICK_KEY_HASH): string {
  let sql = cache.get(query);
  if (sql === undefined) {
    sql = fs.readFileSync(path.join(SPARK_DIR, REPORT_SQL_FILES[query]), 'utf8');
    cache.set(query, sql);
  }
  return sql.replace(CLICK_KEY_HASH, (_call, args: string) => clickKeyHash.replaceAll('$1', args));
}
