/**
 * One person's clicks taken out of a local run's raw data (`clicklogger erase`): each Parquet file
 * that holds any is rewritten without them, through a draft renamed over it, so a stop leaves
 * every file whole, and a rerun finishes the job. The erasure log names the person by a keyed
 * pseudonym, never by the value itself.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { contextPseudonymOf, pseudonymOf } from '../../core/privacy';
import { isReportDate } from '../../core/report-date';
import { sqlString, withDuckDb } from '../../report/duckdb';
import { partitionDates, partitionDir, partitionFiles } from '../../report/engine';
import { writeFileAtomically } from '../../report/atomic-file';
import { rewriteParquetWithout } from '../firehose/parquet';

/** Whose clicks: the column, the values stored for the person, and the pseudonym the log names. */
export interface ErasureSubject {
  readonly column: 'user' | 'contextid';
  readonly stored: readonly string[];
  readonly pseudonym: string;
}

/** A user is stored as a pseudonym (the default) or as sent (`user: keep`): both are matched. */
export function erasureSubject(kind: 'user' | 'contextid', value: string, key: Uint8Array): ErasureSubject {
  if (kind === 'contextid') return { column: 'contextid', stored: [value], pseudonym: contextPseudonymOf(value, key) };
  const pseudonym = pseudonymOf(value, key);
  return { column: 'user', stored: [...new Set([pseudonym, value])], pseudonym };
}

export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

/** The person's clicks in one file. */
export interface Found {
  readonly date: string;
  readonly file: string;
  readonly rows: number;
}

const matching = (subject: ErasureSubject) =>
  `"${subject.column}" IN (${subject.stored.map((value) => sqlString(value)).join(', ')})`;

/** Every file in the range that holds clicks of the person, with how many. */
export async function findClicks(rawDir: string, subject: ErasureSubject, range: DateRange): Promise<Found[]> {
  const found: Found[] = [];
  const dates = (await partitionDates(rawDir)).filter(
    (date) => (!range.from || date >= range.from) && (!range.to || date <= range.to),
  );
  await withDuckDb(async (db) => {
    for (const date of dates) {
      for (const { path: file } of await partitionFiles(partitionDir(rawDir, date))) {
        const reader = await db.runAndReadAll(
          `SELECT count(*) AS n FROM read_parquet(${sqlString(file)}) WHERE ${matching(subject)}`,
        );
        const rows = Number((reader.getRowObjectsJS()[0] as { n: bigint }).n);
        if (rows > 0) found.push({ date, file, rows });
      }
    }
  });
  return found;
}

/** Rewrites each file found holding the person's clicks without them; what was removed, by date. */
export async function eraseClicks(
  found: readonly Found[],
  subject: ErasureSubject,
  compression: string,
): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  for (const { date, file, rows: n } of found) {
    await rewriteParquetWithout(file, matching(subject), { compression });
    rows.set(date, (rows.get(date) ?? 0) + n);
  }
  return rows;
}

/** One line of the erasure log (`erasure-log.jsonl` in the output bucket). */
export interface ErasureRecord {
  readonly time: string;
  readonly subject: string;
  readonly days: readonly string[];
  readonly files: readonly string[];
  readonly rows: number;
}

export const ERASURE_LOG = 'erasure-log.jsonl';

/**
 * The days of an erase that has not finished (`erasure.pending.json` in the output folder): set
 * before the first file is rewritten, removed once the days are reported again. An erase that was
 * killed leaves it, and the next erase reports those days too, even when nothing is left to remove.
 */
export const PENDING_ERASURE = 'erasure.pending.json';

export async function readPendingDays(outDir: string): Promise<string[]> {
  try {
    const { days } = JSON.parse(await fs.readFile(path.join(outDir, PENDING_ERASURE), 'utf8')) as { days?: unknown };
    return Array.isArray(days) ? days.filter((d): d is string => typeof d === 'string' && isReportDate(d)) : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function markPendingDays(outDir: string, days: readonly string[]): Promise<void> {
  await writeFileAtomically(path.join(outDir, PENDING_ERASURE), `${JSON.stringify({ days: [...days].sort() })}\n`);
}

export async function clearPendingDays(outDir: string): Promise<void> {
  await fs.rm(path.join(outDir, PENDING_ERASURE), { force: true });
}

export async function appendErasureLog(outputDir: string, record: ErasureRecord): Promise<void> {
  await fs.mkdir(outputDir, { recursive: true });
  await fs.appendFile(path.join(outputDir, ERASURE_LOG), `${JSON.stringify(record)}\n`);
}
