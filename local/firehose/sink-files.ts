/** What the local Firehose writes with, the errors its writes end in, and the figures it keeps. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { jsonLinesToParquet, type ParquetOptions } from './parquet';

/** The file operations of the sink; tests replace them to inject write failures. */
export interface SinkFiles {
  /** Writes JSON Lines, chunk after chunk, to a new file or (`append`) at the end of one. */
  writeJsonLines(file: string, chunks: readonly Uint8Array[], append?: boolean): Promise<void>;
  /** Converts JSON Lines files to one Parquet file (through a hidden name). */
  convertToParquet(jsonFiles: readonly string[], file: string, options: ParquetOptions): Promise<void>;
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(file: string): Promise<void>;
}

export const diskFiles: SinkFiles = {
  async writeJsonLines(file, chunks, append = false) {
    // An append goes to a file that exists; only a new file may need its folder.
    if (!append) await fs.mkdir(path.dirname(file), { recursive: true });
    // One write, not one a chunk: a chunk is a record (or a request's clicks), and each write is a round trip.
    await fs.writeFile(file, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), { flag: append ? 'a' : 'w' });
  },
  convertToParquet: jsonLinesToParquet,
  async writeFile(file, data) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
  },
  rename: (from, to) => fs.rename(from, to),
  remove: (file) => fs.rm(file, { force: true }),
};

/**
 * The disk under the output folder is full (or read-only, or over quota): no retry can fix a
 * write, so the run stops rather than rewrite the same buffer again and again.
 */
export class DiskFullError extends UserError {
  constructor(
    readonly folder: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`the disk is full: cannot write ${folder} (${reason})`, { cause });
    this.name = 'DiskFullError';
  }
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);
// DuckDB reports the system's error in its message, without an errno code.
const DISK_FULL_MESSAGE = /No space left on device|Disk quota exceeded|Read-only file system/i;

/** The errno-style reason when `error` says the disk cannot take more, or undefined. */
export function diskFullReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code && DISK_FULL_CODES.has(code)) return code;
  const found = DISK_FULL_MESSAGE.exec((error as Error).message ?? '');
  if (!found) return undefined;
  return /space/i.test(found[0]) ? 'ENOSPC' : /quota/i.test(found[0]) ? 'EDQUOT' : 'EROFS';
}

/** Acknowledged records that close() could not write: the run must count them as failed. */
export class SinkWriteError extends Error {
  constructor(
    readonly records: number,
    readonly reason: string,
  ) {
    super(`${records} acknowledged records could not be written: ${reason}`);
    this.name = 'SinkWriteError';
  }
}

export interface SinkStats {
  /** Firehose records taken (PutRecordBatch entries). */
  putRecords: number;
  /** Records after deaggregation: the clicks. */
  records: number;
  delivered: number;
  /** Rows written, by partition value (the event date): what the run's ledger adds up. */
  deliveredByPartition: Map<string, number>;
  errors: number;
  files: string[];
}
