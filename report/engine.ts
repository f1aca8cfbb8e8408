/**
 * The embedded report engine: runs spark/report.sql on DuckDB over a local folder laid out
 * like the raw bucket, and writes response.md and report.json like the Spark job does.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CLICK_FIELDS } from '../functions/shared/click-schema';
import { partitionPrefix, REPORT_FILES } from '../functions/shared/contracts';
import { UserError } from '../functions/shared/errors';
import { isReportDate, reportKeyPrefix } from '../functions/shared/report-date';
import { sqlString, withDuckDb } from './duckdb';
import { renderJson, renderMarkdown, type ReportRow } from './markdown';
import { reportSql } from './sql';

export interface ReportOptions {
  /** Report date, YYYY-MM-DD (UTC). */
  readonly date: string;
  /** Folder laid out like the raw bucket: <rawDir>/clicklog/data=<date>/… */
  readonly rawDir: string;
  /** Folder laid out like the output bucket: the report goes to <outDir>/YYYY/MM/DD/. */
  readonly outDir: string;
  /** Stops the query; nothing is written once it aborts. */
  readonly signal?: AbortSignal;
}

export interface ReportResult {
  readonly date: string;
  readonly rows: ReportRow[];
  readonly markdown: string;
  readonly json: string;
  readonly markdownPath: string;
  readonly jsonPath: string;
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

/** Data files of a partition; as in Hadoop, names starting with `_` or `.` are not data. */
async function partitionFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('_') && !e.name.startsWith('.') && !e.name.endsWith('.partial'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

const COLUMN_LIST = CLICK_FIELDS.map((f) => `"${f.name}"`).join(', ');

async function createClicksView(db: DuckDBConnection, files: string[]): Promise<void> {
  if (files.length === 0) {
    const empty = CLICK_FIELDS.map((f) => `CAST(NULL AS VARCHAR) AS "${f.name}"`).join(', ');
    await db.run(`CREATE TEMP VIEW clicks AS SELECT ${empty} WHERE false`);
    return;
  }
  const list = `[${files.map(sqlString).join(', ')}]`;
  await db.run(`CREATE TEMP VIEW clicks AS SELECT ${COLUMN_LIST} FROM read_parquet(${list})`);
}

/** Names the file DuckDB could not read, rather than leaving the user a bare reader error. */
async function findCorruptFile(db: DuckDBConnection, files: string[], cause: unknown): Promise<ReportError> {
  for (const file of files) {
    try {
      await db.run(`SELECT ${COLUMN_LIST} FROM read_parquet(${sqlString(file)})`);
    } catch (error) {
      return new ReportError(`cannot read Parquet file ${file}: ${(error as Error).message.split('\n')[0]}`, error);
    }
  }
  return new ReportError(`report query failed: ${(cause as Error).message.split('\n')[0]}`, cause);
}

/** Writes through a temporary name, so a reader never sees half a report. */
async function writeAtomically(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await fs.writeFile(partial, content, 'utf8');
  await fs.rename(partial, file);
}

export async function queryReport(date: string, rawDir: string, signal?: AbortSignal): Promise<ReportRow[]> {
  if (!isReportDate(date)) throw new ReportError(`invalid report date "${date}": use YYYY-MM-DD`);
  const files = await partitionFiles(partitionDir(rawDir, date));
  return withDuckDb(async (db) => {
    await db.run(`CREATE TEMP VIEW report_params AS SELECT ${sqlString(date)} AS report_date`);
    let reader;
    try {
      // DuckDB reads Parquet footers when the view is bound, so both steps can meet a bad file.
      await createClicksView(db, files);
      reader = await db.runAndReadAll(reportSql());
    } catch (error) {
      signal?.throwIfAborted();
      throw await findCorruptFile(db, files, error);
    }
    // The columns report.sql selects, as DuckDB returns them: count(*) is a BIGINT.
    type SqlRow = { createdTime: string; callerid: string | null; component: string | null; count: bigint };
    return (reader.getRowObjectsJS() as SqlRow[]).map((row) => ({
      createdTime: row.createdTime,
      callerid: row.callerid ?? '',
      component: row.component ?? '',
      count: Number(row.count),
    }));
  }, signal);
}

export async function runReport(options: ReportOptions): Promise<ReportResult> {
  const rows = await queryReport(options.date, options.rawDir, options.signal);
  options.signal?.throwIfAborted();
  const markdown = renderMarkdown(options.date, rows);
  const json = renderJson(options.date, rows);
  const dir = path.join(options.outDir, ...reportKeyPrefix(options.date).split('/'));
  const markdownPath = path.join(dir, REPORT_FILES.markdown);
  const jsonPath = path.join(dir, REPORT_FILES.json);
  await writeAtomically(jsonPath, json);
  await writeAtomically(markdownPath, markdown);
  return { date: options.date, rows, markdown, json, markdownPath, jsonPath };
}
