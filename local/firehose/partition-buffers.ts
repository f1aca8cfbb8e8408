/**
 * The local Firehose's buffers, one per partition, and its records bound for the error prefix:
 * where "nothing lost, nothing doubled" is kept. A call's part stays in memory until the call is
 * answered, then goes to the partition's hidden segment file on disk (all the call's parts or
 * none); a call that fails is taken back out whole.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { draftPath } from '../../report/atomic-file';
import type { SinkFiles, SinkStats } from './sink-files';

export type ErrorOutputType = 'processing-failed' | 'format-conversion-failed';

/** A hidden JSON Lines file of a partition's clicks, waiting to be converted. */
export interface Segment {
  readonly file: string;
  rows: number;
  bytes: number;
  /** Taken by the flush that converts it; nothing is appended to it any more. */
  converting: boolean;
}

/**
 * One partition's buffer: the JSON Lines of its clicks, as bytes, never as objects. What earlier
 * calls buffered is on disk, in hidden segment files; the current call's part stays in memory
 * until the call is answered, so that a call that fails can take it back.
 */
export interface PartitionBuffer {
  /** The partition value (the event date), for the ledger. */
  readonly value: string;
  segments: Segment[];
  pending: Uint8Array[];
  pendingRows: number;
}

export const rowsOf = (buffer: PartitionBuffer) =>
  buffer.segments.reduce((n, segment) => n + segment.rows, 0) + buffer.pendingRows;

/** Where one part of a record went: a partition buffer (with its bytes and rows), or the error prefix. */
export interface Placed {
  readonly key: string;
  readonly chunk?: Uint8Array;
  readonly rows: number;
}

export interface FailedRecord {
  /** The PutRecordBatch call that sent it, and its entry there (-1: found while flushing, after both). */
  readonly batch: number;
  readonly entry: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly rawData: string;
  readonly type: ErrorOutputType;
}

/** The buffer key of records bound for the error prefix (no partition prefix starts with NUL). */
export const errorsKey = (type: ErrorOutputType) => `\0${type}`;

export class PartitionBuffers {
  partitions = new Map<string, PartitionBuffer>();
  failures: FailedRecord[] = [];
  /** Hidden JSON Lines files written and not yet converted. */
  readonly stagedFiles = new Set<string>();

  constructor(
    private readonly stats: SinkStats,
    private readonly files: SinkFiles,
  ) {}

  /** Adds bytes of `rows` clicks to the buffer of `prefix`. */
  buffer(prefix: string, partition: Record<string, string>, chunk: Uint8Array, rows: number): Placed {
    let buffer = this.partitions.get(prefix);
    if (!buffer) {
      buffer = { value: Object.values(partition).join('/'), segments: [], pending: [], pendingRows: 0 };
      this.partitions.set(prefix, buffer);
    }
    buffer.pending.push(chunk);
    buffer.pendingRows += rows;
    return { key: prefix, chunk, rows };
  }

  reject(
    data: Uint8Array,
    batch: number,
    entry: number,
    type: ErrorOutputType,
    errorCode: string,
    errorMessage: string,
  ): Placed {
    this.failures.push({
      batch,
      entry,
      type,
      errorCode,
      errorMessage,
      rawData: Buffer.from(data).toString('base64'),
    });
    return { key: errorsKey(type), rows: 1 };
  }

  /** Takes a failed call's parts out of the buffers (they are all in memory) and its error records out. */
  rollback(placed: readonly Placed[][], batch: number): void {
    const drop = new Map<Uint8Array, number>();
    for (const parts of placed) for (const part of parts) if (part.chunk) drop.set(part.chunk, part.rows);
    this.stats.putRecords -= placed.length;
    for (const [key, buffer] of this.partitions) {
      const kept = buffer.pending.filter((chunk) => !drop.has(chunk));
      if (kept.length === buffer.pending.length) continue;
      const removed = buffer.pending.filter((chunk) => drop.has(chunk)).reduce((n, c) => n + drop.get(c)!, 0);
      buffer.pending = kept;
      buffer.pendingRows -= removed;
      this.stats.records -= removed;
      if (rowsOf(buffer) === 0) this.partitions.delete(key);
    }
    const kept = this.failures.filter((f) => f.batch !== batch);
    this.stats.records -= this.failures.length - kept.length;
    this.failures = kept;
  }

  /** Rows acknowledged but not yet written. */
  get bufferedRows(): number {
    let n = 0;
    for (const buffer of this.partitions.values()) n += rowsOf(buffer);
    return n;
  }

  /** Bytes on disk that no flush has taken yet. */
  get bufferedBytes(): number {
    let n = 0;
    for (const buffer of this.partitions.values()) {
      for (const segment of buffer.segments) if (!segment.converting) n += segment.bytes;
    }
    return n;
  }

  /**
   * Appends each partition's in-memory part to its open segment file, once the call is answered:
   * all or nothing, so that a call that fails here leaves no part of it on disk.
   */
  async stage(bucketDir: string): Promise<void> {
    const written: { buffer: PartitionBuffer; segment: Segment; size?: number; moved?: Uint8Array[]; rows: number }[] =
      [];
    try {
      for (const [prefix, buffer] of this.partitions) {
        if (buffer.pending.length === 0) continue;
        const open = buffer.segments.at(-1);
        const segment =
          open && !open.converting
            ? open
            : {
                file: draftPath(path.join(bucketDir, prefix, 'segment.jsonl'), 'staged'),
                rows: 0,
                bytes: 0,
                converting: false,
              };
        const step = { buffer, segment, size: segment === open ? segment.bytes : undefined, rows: buffer.pendingRows };
        written.push(step);
        this.stagedFiles.add(segment.file);
        await this.files.writeJsonLines(segment.file, buffer.pending, segment === open);
        if (segment !== open) buffer.segments.push(segment);
        segment.rows += buffer.pendingRows;
        segment.bytes += buffer.pending.reduce((n, chunk) => n + chunk.byteLength, 0);
        Object.assign(step, { moved: buffer.pending });
        buffer.pending = [];
        buffer.pendingRows = 0;
      }
    } catch (error) {
      for (const { buffer, segment, size, moved, rows } of written.reverse()) {
        if (size === undefined) {
          await fs.rm(segment.file, { force: true }).catch(() => undefined);
          this.stagedFiles.delete(segment.file);
          buffer.segments = buffer.segments.filter((s) => s !== segment);
        } else {
          await fs.truncate(segment.file, size).catch(() => undefined);
        }
        if (moved) {
          if (size !== undefined) {
            segment.rows -= rows;
            segment.bytes = size;
          }
          buffer.pending = moved;
          buffer.pendingRows = rows;
        }
      }
      throw error;
    }
  }
}
