/**
 * A local stand-in for the Firehose delivery stream, configured from the synthesized stack.
 * Like the real stream it extracts the partition key with the stack's query, converts records
 * to Parquet with the Glue table's columns, writes them under the stack's prefix, and sends
 * records it cannot process or convert to the error prefix. It answers PutRecordBatch as the
 * Firehose client would, so the ingestion code runs unchanged against it.
 *
 * Nothing is lost and nothing doubled. A flush commits one file at a time: written under a
 * hidden name, then renamed, and only then dropped from the buffer. When a flush fails during a
 * PutRecordBatch, the entries whose file was not committed are answered as failed and taken
 * back out of the buffer, so they leave nothing behind; entries acknowledged earlier stay
 * buffered for the next flush. close() reports what it could not write.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { NamedError, UserError } from '../functions/shared/errors';
import { type ParquetOptions, writeParquet } from './parquet';
import type { DeliverySettings } from './synthesized-stack';

type ErrorOutputType = 'processing-failed' | 'format-conversion-failed';

interface FailedRecord {
  /** The PutRecordBatch call that sent it. */
  readonly batch: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly rawData: string;
  readonly type: ErrorOutputType;
}

/** The file operations of a flush; tests replace them to inject write failures. */
export interface SinkFiles {
  writeParquet(rows: Record<string, string | null>[], file: string, options: ParquetOptions): Promise<void>;
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(file: string): Promise<void>;
}

export const diskFiles: SinkFiles = {
  writeParquet,
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
function diskFullReason(error: unknown): string | undefined {
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
  records: number;
  delivered: number;
  /** Rows written, by partition value (the event date): what the run's ledger adds up. */
  deliveredByPartition: Map<string, number>;
  errors: number;
  files: string[];
}

/** Reads `{key: .field[a:b]}` or `{key: .field}`: the query forms this stack uses. */
export function compilePartitionQuery(query: string): (record: Record<string, unknown>) => Record<string, string> {
  const m = /^\{\s*(\w+)\s*:\s*\.(\w+)(?:\[(\d+):(\d+)\])?\s*\}$/.exec(query.trim());
  if (!m) throw new Error(`unsupported MetadataExtractionQuery for the local sink: ${query}`);
  const [, key, field, from, to] = m;
  return (record) => {
    const value = record[field];
    if (typeof value !== 'string') throw new Error(`${field} is missing or not a string`);
    return { [key]: from === undefined ? value : value.slice(Number(from), Number(to)) };
  };
}

const decoder = new TextDecoder();
/** The buffer key of records bound for the error prefix (no partition prefix starts with NUL). */
const errorsKey = (type: ErrorOutputType) => `\0${type}`;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatTimestamp(format: string, at: Date): string {
  return format
    .replace(/yyyy/g, String(at.getUTCFullYear()))
    .replace(/MM/g, pad(at.getUTCMonth() + 1))
    .replace(/dd/g, pad(at.getUTCDate()))
    .replace(/HH/g, pad(at.getUTCHours()));
}

/** Expands Firehose's `!{namespace:key}` prefix expressions. */
export function renderPrefix(
  template: string,
  values: { partition?: Record<string, string>; errorOutputType?: string; at: Date },
): string {
  return template.replace(/!\{([\w-]+):([^}]+)\}/g, (whole, namespace: string, key: string) => {
    if (namespace === 'partitionKeyFromQuery' && values.partition?.[key] !== undefined) return values.partition[key];
    if (namespace === 'firehose' && key === 'error-output-type' && values.errorOutputType)
      return values.errorOutputType;
    if (namespace === 'firehose' && key === 'random-string') return randomUUID().slice(0, 11);
    if (namespace === 'timestamp') return formatTimestamp(key, values.at);
    throw new Error(`cannot expand ${whole} in prefix ${template}`);
  });
}

/** A key prefix that stays inside its bucket folder. */
function isSafePrefix(prefix: string): boolean {
  return !path.isAbsolute(prefix) && prefix.split('/').every((part) => part !== '..' && part !== '.');
}

export class LocalFirehose {
  readonly stats: SinkStats = { records: 0, delivered: 0, deliveredByPartition: new Map(), errors: 0, files: [] };
  /** The partition value of each buffered prefix. */
  private readonly partitionOf = new Map<string, string>();
  private readonly extractPartition: ReturnType<typeof compilePartitionQuery>;
  private readonly bucketDir: string;
  private partitions = new Map<string, Record<string, string | null>[]>();
  private failures: FailedRecord[] = [];
  private bufferedBytes = 0;
  private batch = 0;
  private readonly prefixes = new Map<string, string | undefined>();
  private readonly timedPrefix: boolean;
  private db?: { instance: DuckDBInstance; connection: DuckDBConnection };
  /** Set once the disk is full: nothing more can be written. */
  fatal?: DiskFullError;

  constructor(
    private readonly settings: DeliverySettings,
    /** Folder that holds one sub-folder per bucket. */
    outDir: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly files: SinkFiles = diskFiles,
    /** Stops a flush in progress (the run is interrupted); nothing more is written. */
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => this.db?.connection.interrupt(), { once: true });
    this.extractPartition = compilePartitionQuery(settings.partitionQuery);
    this.bucketDir = path.join(outDir, settings.rawBucket);
    this.timedPrefix = settings.prefix.includes('!{timestamp:');
  }

  async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
    if (!(command instanceof PutRecordBatchCommand))
      throw new Error('the local Firehose implements PutRecordBatch only');
    const { DeliveryStreamName, Records = [] } = command.input;
    if (DeliveryStreamName !== this.settings.streamName) {
      throw new NamedError('ResourceNotFoundException', `Delivery stream ${DeliveryStreamName} not found`);
    }
    // Once the disk is full, nothing is taken: the caller must not count these as delivered.
    if (this.fatal) throw this.fatal;
    this.batch++;
    const bufferedBefore = this.bufferedBytes;
    const keys = Records.map((record) => this.accept(record.Data ?? new Uint8Array()));
    let uncommitted = new Set<string>();
    let reason = '';
    if (this.bufferedBytes >= this.settings.bufferingSizeMiB * 1024 * 1024) {
      try {
        await this.flush();
      } catch (error) {
        // Entries whose file was committed are delivered; the others fail and leave nothing behind.
        uncommitted = this.rollback(keys, bufferedBefore);
        reason = (error as Error).message.split('\n')[0];
        const full = diskFullReason(error);
        // A full disk is not a fault a retry fixes: the call fails as a whole, and the run stops.
        if (full) throw (this.fatal = new DiskFullError(this.bucketDir, full, error));
        this.signal?.throwIfAborted();
      }
    }
    // Firehose acknowledges on receipt; processing and conversion failures go to the error prefix later.
    const failed = keys.map((key) => uncommitted.has(key));
    return {
      $metadata: { httpStatusCode: 200 },
      FailedPutCount: failed.filter(Boolean).length,
      Encrypted: true,
      RequestResponses: failed.map((no) =>
        no ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: reason } : { RecordId: randomUUID() },
      ),
    };
  }

  /**
   * Takes this batch (its buffer `keys`, in order) out of every buffer that was not committed;
   * returns the keys of those buffers. The batch's rows are the last ones of each buffer.
   */
  private rollback(keys: readonly string[], bufferedBytes: number): Set<string> {
    const uncommitted = new Set([...this.partitions.keys(), ...this.failures.map((f) => errorsKey(f.type))]);
    const added = new Map<string, number>();
    for (const key of keys) added.set(key, (added.get(key) ?? 0) + 1);
    for (const [key, count] of added) {
      const rows = this.partitions.get(key);
      if (!rows) continue; // committed, or bound for the error prefix
      rows.length -= count;
      this.stats.records -= count;
      if (rows.length === 0) this.partitions.delete(key);
    }
    const kept = this.failures.filter((f) => f.batch !== this.batch);
    this.stats.records -= this.failures.length - kept.length;
    this.failures = kept;
    this.bufferedBytes = bufferedBytes;
    return uncommitted;
  }

  /** Rows acknowledged but not yet written. */
  get bufferedRows(): number {
    let n = 0;
    for (const rows of this.partitions.values()) n += rows.length;
    return n;
  }

  private reject(data: Uint8Array, type: ErrorOutputType, errorCode: string, errorMessage: string): string {
    this.failures.push({
      batch: this.batch,
      type,
      errorCode,
      errorMessage,
      rawData: Buffer.from(data).toString('base64'),
    });
    return errorsKey(type);
  }

  /** Buffers one record; returns its buffer key (a partition prefix, or an errorsKey). */
  private accept(data: Uint8Array): string {
    this.stats.records++;
    this.bufferedBytes += data.byteLength;
    let record: unknown;
    try {
      record = JSON.parse(decoder.decode(data));
    } catch {
      return this.reject(
        data,
        'processing-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        'record is not valid JSON',
      );
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return this.reject(
        data,
        'processing-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        'record is not a JSON object',
      );
    }
    let partition: Record<string, string>;
    try {
      partition = this.extractPartition(record as Record<string, unknown>);
    } catch (error) {
      return this.reject(
        data,
        'processing-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        (error as Error).message,
      );
    }
    const row: Record<string, string | null> = {};
    for (const column of this.settings.columns) {
      const value = (record as Record<string, unknown>)[column];
      if (value === undefined || value === null) row[column] = null;
      else if (typeof value === 'object' || typeof value === 'function') {
        return this.reject(
          data,
          'format-conversion-failed',
          'DataFormatConversion.MalformedData',
          `${column} is not a scalar`,
        );
      } else row[column] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    const prefix = this.prefixFor(partition);
    if (prefix === undefined) {
      return this.reject(
        data,
        'processing-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        'partition value is not a usable key',
      );
    }
    const rows = this.partitions.get(prefix);
    if (rows) rows.push(row);
    else {
      this.partitions.set(prefix, [row]);
      this.partitionOf.set(prefix, Object.values(partition).join('/'));
    }
    return prefix;
  }

  /** The delivery prefix of a partition, or undefined when it would leave the bucket folder. */
  private prefixFor(partition: Record<string, string>): string | undefined {
    // Prefixes that depend only on the partition are cached: rendering one per record is costly.
    const key = this.timedPrefix ? undefined : JSON.stringify(partition);
    if (key === undefined || !this.prefixes.has(key)) {
      const prefix = renderPrefix(this.settings.prefix, { partition, at: this.clock() });
      const safe = isSafePrefix(prefix) ? prefix : undefined;
      if (key === undefined) return safe;
      this.prefixes.set(key, safe);
    }
    return this.prefixes.get(key);
  }

  /**
   * Writes what is buffered: one Parquet file per partition, one JSON Lines file of failures.
   * Each file is committed on its own (hidden name, then rename) and only then leaves the
   * buffer; on failure, what was not committed stays buffered and no part of it is visible.
   */
  async flush(): Promise<void> {
    const at = this.clock();
    const stamp = [
      at.getUTCFullYear(),
      pad(at.getUTCMonth() + 1),
      pad(at.getUTCDate()),
      pad(at.getUTCHours()),
      pad(at.getUTCMinutes()),
      pad(at.getUTCSeconds()),
    ].join('-');
    const name = () => `${this.settings.streamName}-1-${stamp}-${randomUUID()}`;
    const commit = async (file: string, write: (staged: string) => Promise<void>) => {
      // Readers skip names starting with '.', so a staged file is never read.
      const staged = path.join(path.dirname(file), `.${path.basename(file)}.staged`);
      try {
        await write(staged);
        await this.files.rename(staged, file);
      } catch (error) {
        await this.files.remove(staged).catch(() => undefined);
        throw error;
      }
      this.stats.files.push(file);
    };

    this.signal?.throwIfAborted();
    const connection = await this.connection();
    for (const [prefix, rows] of [...this.partitions]) {
      await commit(path.join(this.bucketDir, prefix, `${name()}.parquet`), (staged) =>
        this.files.writeParquet(rows, staged, {
          columns: this.settings.columns,
          compression: this.settings.parquetCompression,
          connection,
        }),
      );
      this.partitions.delete(prefix);
      this.stats.delivered += rows.length;
      const value = this.partitionOf.get(prefix)!;
      this.stats.deliveredByPartition.set(value, (this.stats.deliveredByPartition.get(value) ?? 0) + rows.length);
    }
    const byType = new Map<ErrorOutputType, FailedRecord[]>();
    for (const failure of this.failures) byType.set(failure.type, [...(byType.get(failure.type) ?? []), failure]);
    for (const [type, failures] of byType) {
      const file = path.join(
        this.bucketDir,
        renderPrefix(this.settings.errorOutputPrefix, { errorOutputType: type, at }),
        name(),
      );
      const lines = failures.map(({ errorCode, errorMessage, rawData }) =>
        JSON.stringify({ errorCode, errorMessage, rawData, arrivalTimestamp: at.getTime() }),
      );
      await commit(file, (staged) => this.files.writeFile(staged, `${lines.join('\n')}\n`));
      this.failures = this.failures.filter((f) => f.type !== type);
      this.stats.errors += failures.length;
    }
    this.bufferedBytes = 0;
  }

  /** Flushes and releases the database; throws SinkWriteError if acknowledged rows stay unwritten. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      const full = diskFullReason(error);
      if (full) this.fatal = new DiskFullError(this.bucketDir, full, error);
      throw new SinkWriteError(this.bufferedRows, (error as Error).message.split('\n')[0]);
    } finally {
      this.discard();
    }
  }

  /** Releases the database without writing what is buffered (the run stops). */
  discard(): void {
    this.db?.connection.closeSync();
    this.db?.instance.closeSync();
    this.db = undefined;
  }

  private async connection(): Promise<DuckDBConnection> {
    if (!this.db) {
      const instance = await DuckDBInstance.create(':memory:');
      this.db = { instance, connection: await instance.connect() };
    }
    return this.db.connection;
  }
}
