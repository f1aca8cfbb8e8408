/**
 * The embedded report engine: runs spark/report.sql on DuckDB over a local folder laid out like
 * the raw bucket, once for each report date, and writes response.md and report.json like the
 * Spark job does.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CLICK_FIELDS } from '../core/click-schema';
import { inputDigest, isDataFile, partitionPrefix, REPORT_FILES } from '../core/contracts';
import { UserError } from '../core/errors';
import { isReportDate, reportKeyPrefix } from '../core/report-date';
import { sqlString, withDuckDb } from './duckdb';
import { writeFileAtomically } from './atomic-file';
import { renderHtml } from './html';
import { type InputRead, renderJson, renderMarkdown, type ReportRow } from './markdown';
import { DUCKDB_CLICK_KEY_HASH, reportSql } from './sql';
import { createFunnelSteps, type DayVisits, groupBy, NO_VISITS, queryVisits } from './visits';
import type { Funnel } from '../core/funnels';

export interface ReportOptions {
  /** Report dates, YYYY-MM-DD (UTC): one query reports them all. */
  readonly dates: readonly string[];
  /** Folder laid out like the raw bucket: <rawDir>/clicklog/data=<date>/… */
  readonly rawDir: string;
  /** Folder laid out like the output bucket: each report goes to <outDir>/YYYY/MM/DD/. */
  readonly outDir: string;
  /** The funnels to follow visits through (default: none). */
  readonly funnels?: readonly Funnel[];
  /** Rows of response.md's counts table each caller gets at most (default: 100). */
  readonly rowsPerCaller?: number;
  /** Stops the query; nothing is written once it aborts. */
  readonly signal?: AbortSignal;
}

export interface DayReport {
  readonly date: string;
  readonly rows: ReportRow[];
  readonly read: InputRead;
  readonly visits: DayVisits;
  readonly markdown: string;
  readonly json: string;
  readonly markdownPath: string;
  readonly jsonPath: string;
  readonly html: string;
  readonly htmlPath: string;
}

class ReportError extends UserError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ReportError';
  }
}

export function partitionDir(rawDir: string, date: string): string {
  return path.join(rawDir, ...partitionPrefix(date).split('/'));
}

export interface DataFile {
  readonly path: string;
  readonly name: string;
  readonly modifiedMs: number;
}

/** Data files of a partition (not `_` or `.` names, as in Hadoop), sorted by name. */
export async function partitionFiles(dir: string): Promise<DataFile[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = entries.filter((e) => e.isFile() && isDataFile(e.name)).map((e) => e.name);
  return Promise.all(
    files.sort().map(async (name) => {
      const file = path.join(dir, name);
      // Whole milliseconds, truncated, as Hadoop's FileStatus (the Spark job) reports them: from
      // the nanoseconds, since mtimeMs is a double that can round 358.9999999 up to 359.
      const { mtimeNs } = await fs.stat(file, { bigint: true });
      return { path: file, name, modifiedMs: Number(mtimeNs / 1_000_000n) };
    }),
  );
}

const COLUMN_LIST = CLICK_FIELDS.map((f) => `"${f.name}"`).join(', ');

/** The view `clicks`: every date's files, each row with its partition's date as `report_date`. */
async function createClicksView(db: DuckDBConnection, filesByDate: ReadonlyMap<string, readonly DataFile[]>) {
  const parts = [...filesByDate]
    .filter(([, files]) => files.length > 0)
    .map(([date, files]) => {
      const list = `[${files.map((f) => sqlString(f.path)).join(', ')}]`;
      // A validated YYYY-MM-DD date: nothing else reaches the text.
      return `SELECT ${COLUMN_LIST}, '${date}' AS report_date FROM read_parquet(${list})`;
    });
  if (parts.length === 0) {
    const empty = [...CLICK_FIELDS.map((f) => f.name), 'report_date'].map((n) => `CAST(NULL AS VARCHAR) AS "${n}"`);
    parts.push(`SELECT ${empty.join(', ')} WHERE false`);
  }
  await db.run(`CREATE OR REPLACE TEMP VIEW clicks AS ${parts.join(' UNION ALL ')}`);
}

/** Names the file DuckDB could not read, rather than leaving the user a bare reader error. */
async function findCorruptFile(db: DuckDBConnection, files: readonly DataFile[], cause: unknown): Promise<ReportError> {
  for (const file of files) {
    try {
      await db.run(`SELECT ${COLUMN_LIST} FROM read_parquet(${sqlString(file.path)})`);
    } catch (error) {
      return new ReportError(
        `cannot read Parquet file ${file.path}: ${(error as Error).message.split('\n')[0]}`,
        error,
      );
    }
  }
  return new ReportError(`report query failed: ${(cause as Error).message.split('\n')[0]}`, cause);
}

/** The rows of several days' files, counted apart (a Parquet footer count: no data is read). */
async function countRows(db: DuckDBConnection, files: readonly DataFile[]): Promise<number> {
  if (files.length === 0) return 0;
  const reader = await db.runAndReadAll(
    `SELECT count(*) AS n FROM read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}])`,
  );
  return Number((reader.getRowObjectsJS()[0] as { n: bigint }).n);
}

/** The dates that have a partition under `rawDir`, oldest first. */
export async function partitionDates(rawDir: string): Promise<string[]> {
  const root = path.dirname(partitionDir(rawDir, '2000-01-01'));
  const names = await fs.readdir(root).catch(() => [] as string[]);
  return names
    .map((n) => n.slice(n.indexOf('=') + 1))
    .filter(isReportDate)
    .sort();
}

/**
 * The rows stored in each date's partition under `rawDir` (Parquet footers: no data is read),
 * for the dates that have one.
 */
export async function storedRows(rawDir: string): Promise<Map<string, number>> {
  const dates = await partitionDates(rawDir);
  return withDuckDb(async (db) => {
    const rows = new Map<string, number>();
    for (const date of dates) {
      const files = await partitionFiles(partitionDir(rawDir, date));
      if (files.length > 0) rows.set(date, await countRows(db, files));
    }
    return rows;
  });
}

export interface DayQuery {
  readonly rows: ReportRow[];
  readonly read: InputRead;
  readonly visits: DayVisits;
}

/** The columns report.sql selects, as DuckDB returns them: counts are BIGINT, sums HUGEINT. */
type SqlRow = {
  createdTime: string;
  callerid: string | null;
  component: string | null;
  count: bigint;
  duplicates: bigint;
};

/**
 * Runs day_clicks.sql, report.sql and the visit queries once over the partitions of all of
 * `dates`, in one database; each date's rows, visits and what was read for it. `clickKeyHash`
 * is for tests (see reportSql).
 */
export async function queryReports(
  dates: readonly string[],
  rawDir: string,
  signal?: AbortSignal,
  funnels: readonly Funnel[] = [],
  clickKeyHash = DUCKDB_CLICK_KEY_HASH,
): Promise<Map<string, DayQuery>> {
  for (const date of dates) {
    if (!isReportDate(date)) throw new ReportError(`invalid report date "${date}": use YYYY-MM-DD`);
  }
  const days = [...new Set(dates)].sort();
  const filesByDate = new Map<string, DataFile[]>();
  for (const date of days) filesByDate.set(date, await partitionFiles(partitionDir(rawDir, date)));
  const allFiles = [...filesByDate.values()].flat();
  return withDuckDb(async (db) => {
    let counts: SqlRow[] = [];
    let visits = new Map<string, DayVisits>();
    const rows = new Map<string, number>();
    try {
      // DuckDB reads Parquet footers when the view is bound, so every step can meet a bad file.
      await createClicksView(db, filesByDate);
      for (const [date, files] of filesByDate) rows.set(date, await countRows(db, files));
      if ([...rows.values()].some((n) => n > 0)) {
        await createFunnelSteps(db, funnels);
        // Every date's clicks, each once, for every query that follows.
        await db.run(`CREATE OR REPLACE TEMP TABLE day_clicks AS ${reportSql('dayClicks', clickKeyHash)}`);
        counts = (await db.runAndReadAll(reportSql('counts'))).getRowObjectsJS() as SqlRow[];
        visits = await queryVisits(db, funnels, counts);
      }
    } catch (error) {
      signal?.throwIfAborted();
      throw await findCorruptFile(db, allFiles, error);
    }
    const countsByDate = groupBy(counts, (row) => row.createdTime);
    const results = new Map<string, DayQuery>();
    for (const [date, files] of filesByDate) {
      const newest = files.length === 0 ? null : Math.max(...files.map((f) => f.modifiedMs));
      results.set(date, {
        rows: (countsByDate.get(date) ?? []).map((row) => ({
          createdTime: row.createdTime,
          callerid: row.callerid ?? '',
          component: row.component ?? '',
          count: Number(row.count),
          duplicates: Number(row.duplicates),
        })),
        read: {
          files: files.length,
          rows: rows.get(date) ?? 0,
          newest: newest === null ? null : new Date(newest).toISOString(),
          digest: inputDigest(files.map((f) => f.name)),
        },
        visits: visits.get(date) ?? NO_VISITS,
      });
    }
    return results;
  }, signal);
}

/** The rows of one date's report. */
export async function queryReport(date: string, rawDir: string, signal?: AbortSignal): Promise<ReportRow[]> {
  return (await queryReports([date], rawDir, signal)).get(date)!.rows;
}

/** Reports every date of `options.dates` with one query, and writes each day's files. */
export async function runReport(options: ReportOptions): Promise<DayReport[]> {
  const results = await queryReports(options.dates, options.rawDir, options.signal, options.funnels);
  options.signal?.throwIfAborted();
  const reports: DayReport[] = [];
  for (const [date, { rows, read, visits }] of results) {
    const markdown = renderMarkdown(date, rows, visits, options.rowsPerCaller);
    const json = renderJson(date, rows, read, visits);
    const dir = path.join(options.outDir, ...reportKeyPrefix(date).split('/'));
    const markdownPath = path.join(dir, REPORT_FILES.markdown);
    const jsonPath = path.join(dir, REPORT_FILES.json);
    const html = renderHtml([{ date, rows, ...visits }]);
    const htmlPath = path.join(dir, REPORT_FILES.html);
    await writeFileAtomically(markdownPath, markdown);
    await writeFileAtomically(htmlPath, html);
    // Last: report.json is the day's proof of completion (PlanDates skips a day whose digest
    // matches), so a run that fails before it leaves the day to be reported again.
    await writeFileAtomically(jsonPath, json);
    reports.push({ date, rows, read, visits, markdown, json, markdownPath, jsonPath, html, htmlPath });
  }
  return reports;
}
