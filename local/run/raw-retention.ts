/**
 * The raw bucket's lifecycle on this machine: a --keep run first removes the raw files (Parquet,
 * error-prefix records) written more than rawRetentionDays ago, as S3 expires objects by their
 * age, and takes their clicks out of the ledger. Reports hold no personal data, and stay.
 */
import { plural } from '../../core/plural';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { storedRows } from '../../report/engine';
import { removeFromLedger } from './ledger';

export interface ExpiredRaw {
  readonly files: number;
  /** The clicks the removed Parquet files held, by event date. */
  readonly clicks: ReadonlyMap<string, number>;
}

const DAY_MS = 86_400_000;

/** Files under `dir`, with their modification times. */
async function filesUnder(dir: string): Promise<{ file: string; mtimeMs: number }[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Promise.all(files.map(async (file) => ({ file, mtimeMs: (await fs.stat(file)).mtimeMs })));
}

/** Removes what is older than `days` under the output folder's raw bucket; the ledger follows. */
export async function expireRawFiles(outDir: string, rawBucket: string, days: number, now: Date): Promise<ExpiredRaw> {
  const rawDir = path.join(outDir, rawBucket);
  const cutoff = now.getTime() - days * DAY_MS;
  const expired = (await filesUnder(rawDir)).filter((f) => f.mtimeMs < cutoff);
  if (expired.length === 0) return { files: 0, clicks: new Map() };
  const before = await storedRows(rawDir);
  for (const { file } of expired) await fs.rm(file, { force: true });
  const after = await storedRows(rawDir);
  const clicks = new Map<string, number>();
  for (const [date, rows] of before) {
    const gone = rows - (after.get(date) ?? 0);
    if (gone > 0) clicks.set(date, gone);
  }
  await removeFromLedger(outDir, clicks);
  return { files: expired.length, clicks };
}

/** `removed 3 raw files written more than 395 days ago (rawRetentionDays), with 120 clicks of 2 days` */
export function describeExpired(expired: ExpiredRaw, days: number): string {
  const clicks = [...expired.clicks.values()].reduce((a, b) => a + b, 0);
  const dates = expired.clicks.size;
  return (
    `removed ${plural(expired.files, 'raw file')} written more than ${plural(days, 'day')} ago (rawRetentionDays)` +
    (clicks > 0 ? `, with ${plural(clicks, 'click')} of ${plural(dates, 'day')}` : '')
  );
}
