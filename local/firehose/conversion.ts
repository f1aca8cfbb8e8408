/**
 * A flush's conversion of one partition's segment files to one Parquet file. When DuckDB cannot
 * read them (a line that was taken on a scan is not valid JSON, or has a duplicate key), every
 * line is parsed: the bad ones are handed back, and the rest is converted again.
 */
import * as fs from 'node:fs/promises';
import { draftPath } from '../../report/atomic-file';
import type { Segment } from './partition-buffers';
import type { ParquetOptions } from './parquet';
import { diskFullReason, type SinkFiles } from './sink-files';

/** A JSON Lines buffer that DuckDB could not read: a bad line, or a duplicate key. */
const UNREADABLE_JSON = /Malformed JSON|JSON transform error|duplicate key|Invalid Input Error: JSON/i;

const encoder = new TextEncoder();

export interface ConversionOptions {
  readonly files: SinkFiles;
  readonly parquet: ParquetOptions;
  /** A line that is not JSON: it is not converted. */
  readonly onBadLine: (line: string) => void;
}

/** Converts `segments` to Parquet at `staged`; returns the rows converted. */
export async function convertSegments(
  segments: readonly Segment[],
  staged: string,
  { files, parquet, onBadLine }: ConversionOptions,
): Promise<number> {
  const inputs = segments.map((s) => s.file);
  try {
    await files.convertToParquet(inputs, staged, parquet);
    return segments.reduce((n, s) => n + s.rows, 0);
  } catch (error) {
    if (diskFullReason(error) || !UNREADABLE_JSON.test((error as Error).message)) throw error;
    const reread = draftPath(`${staged}.valid.jsonl`, 'staged');
    try {
      const valid = await revalidate(inputs, onBadLine);
      await files.writeJsonLines(reread, valid);
      await files.convertToParquet([reread], staged, parquet);
      return valid.length;
    } finally {
      await files.remove(reread).catch(() => undefined);
    }
  }
}

/** The lines of JSON Lines files parsed one by one: the valid ones normalized, the others handed to `onBadLine`. */
async function revalidate(files: readonly string[], onBadLine: (line: string) => void): Promise<Uint8Array[]> {
  const valid: Uint8Array[] = [];
  for (const file of files) {
    for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        onBadLine(line);
        continue;
      }
      valid.push(encoder.encode(`${JSON.stringify(value)}\n`));
    }
  }
  return valid;
}
