/**
 * One person's clicks taken out of a local run's raw data (`clicklogger erase`), as the report
 * job's erase mode does on DuckDB: each Parquet file that holds any is rewritten without them,
 * through a draft renamed over it, so a stop leaves every file whole, and a rerun finishes the
 * job. The erasure log names the person by a keyed pseudonym, never by the value itself.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ERASURE } from '../../core/contracts';
import {
  type DateRange,
  type ErasureRecord,
  erasureLogKey,
  type ErasureSubject,
  pendingDaysIn,
  subjectOf,
} from '../../core/erasure';
import { sqlString, withDuckDb } from '../../report/duckdb';
import { partitionDates, partitionDir, partitionFiles } from '../../report/engine';
import { writeFileAtomically } from '../../report/atomic-file';
import { rewriteParquetWithout } from '../firehose/parquet';

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

export async function writeErasureRecord(outputDir: string, record: ErasureRecord): Promise<void> {
  await writeFileAtomically(
    path.join(outputDir, erasureLogKey(record.time, record.subject)),
    `${JSON.stringify(record)}\n`,
  );
}

/**
 * The days of an erase that has not been reported again (ERASURE.pending in the output bucket):
 * the job adds them before the first file is rewritten, and the CLI removes the file once the
 * days are reported. An erase that was stopped leaves it, and the next erase reports those days
 * too, even when nothing is left to remove.
 */
export async function readPendingDays(outputDir: string): Promise<string[]> {
  try {
    return pendingDaysIn(await fs.readFile(path.join(outputDir, ERASURE.pending), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function addPendingDays(outputDir: string, days: readonly string[]): Promise<void> {
  const all = new Set([...(await readPendingDays(outputDir)), ...days]);
  await fs.mkdir(outputDir, { recursive: true });
  await writeFileAtomically(path.join(outputDir, ERASURE.pending), `${JSON.stringify({ days: [...all].sort() })}\n`);
}

export async function clearPendingDays(outputDir: string): Promise<void> {
  await fs.rm(path.join(outputDir, ERASURE.pending), { force: true });
}

/** The erase mode's job arguments (after `erase`), as the erase state machine passes them. */
export interface EraseArguments {
  readonly column: 'user' | 'contextid';
  readonly pseudonym: string;
  readonly value: string;
  readonly range: DateRange;
}

export function parseEraseArguments(
  args: readonly string[],
): EraseArguments & { rawBucket: string; outputBucket: string } {
  const [mode, column, pseudonym, value, from, to, rawBucket, outputBucket] = args;
  if (args.length !== 8 || mode !== ERASURE.mode || (column !== 'user' && column !== 'contextid')) {
    throw new Error(
      'EntryPointArguments must be [erase, user|contextid, pseudonym, value, from|-, to|-, raw bucket, output bucket]',
    );
  }
  const date = (d: string) => (d === ERASURE.noDate ? undefined : d);
  return { column, pseudonym, value, range: { from: date(from), to: date(to) }, rawBucket, outputBucket };
}

/**
 * The erase mode on DuckDB, as spark/report_erase.py runs it on Spark: the pending days, the
 * rewrites, the proof and the record. Both leave the same rows.
 */
export async function eraseWithDuckDb(
  args: EraseArguments,
  dirs: { rawDir: string; outputDir: string },
  compression: string,
  now = new Date(),
): Promise<ErasureRecord> {
  const subject = subjectOf(args.column, args.pseudonym, args.value);
  const found = await findClicks(dirs.rawDir, subject, args.range);
  if (found.length > 0) await addPendingDays(dirs.outputDir, [...new Set(found.map((f) => f.date))]);
  const removed = await eraseClicks(found, subject, compression);
  const left = (await findClicks(dirs.rawDir, subject, args.range)).reduce((n, f) => n + f.rows, 0);
  const rowsByDay = Object.fromEntries([...removed].sort());
  const record: ErasureRecord = {
    time: now.toISOString(),
    subject: args.pseudonym,
    days: Object.keys(rowsByDay),
    files: found.map((f) => path.relative(dirs.rawDir, f.file).split(path.sep).join('/')).sort(),
    rows: [...removed.values()].reduce((a, b) => a + b, 0),
    rowsByDay,
    left,
  };
  if (found.length > 0 || left > 0) await writeErasureRecord(dirs.outputDir, record);
  if (left > 0) throw new Error(`${left} clicks of ${args.pseudonym} are still in the raw data`);
  return record;
}
