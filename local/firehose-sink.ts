/**
 * A local stand-in for the Firehose delivery stream, configured from the synthesized stack.
 * Like the real stream it splits each record into its JSON objects (RecordDeAggregation,
 * SubRecordType JSON: at most 500, arrays refused), extracts the partition key with the stack's
 * query, converts records to Parquet with the Glue table's columns, writes them under the
 * stack's prefix, and sends records it cannot process or convert to the error prefix. It
 * answers PutRecordBatch as the Firehose client would, so the ingestion code runs unchanged
 * against it.
 *
 * It streams: buffered clicks are never JS objects. Each partition's buffer is the records'
 * own bytes, and a flush writes them to a hidden JSON Lines file that DuckDB converts to
 * Parquet (read_json with the Glue columns, then COPY). A line the producer clearly wrote as
 * one flat object is taken on a scan for its partition value, without a parse; DuckDB
 * validates it when converting, and a buffer it cannot read is parsed line by line then, its
 * bad lines sent to the error prefix, as Firehose reports processing failures after it has
 * acknowledged a record. Anything else is parsed on arrival.
 *
 * Nothing is lost and nothing doubled. A call's records are answered once they are on disk, in
 * hidden files; a call whose records cannot be written there is answered as failed, and leaves
 * nothing behind. When the buffer is full, a flush converts what is on disk while the next calls
 * are taken (Firehose, too, acknowledges on receipt and delivers later). It commits one file at a
 * time, written under a hidden name and then renamed; what it cannot commit stays buffered for
 * the next flush, and close() reports what could not be written in the end. A full disk stops
 * the sink: every later call fails whole.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { NamedError, UserError } from '../functions/shared/errors';
import { draftPath } from '../report/atomic-file';
import { DUCKDB_OFFLINE } from '../report/duckdb';
import { jsonLinesToParquet, type ParquetOptions } from './parquet';
import { deaggregateJson, MAX_SUB_RECORDS } from './deaggregate';
import type { DeliverySettings } from './synthesized-stack';

type ErrorOutputType = 'processing-failed' | 'format-conversion-failed';

/** A hidden JSON Lines file of a partition's clicks, waiting to be converted. */
interface Segment {
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
interface PartitionBuffer {
  /** The partition value (the event date), for the ledger. */
  readonly value: string;
  segments: Segment[];
  pending: Uint8Array[];
  pendingRows: number;
}

const rowsOf = (buffer: PartitionBuffer) =>
  buffer.segments.reduce((n, segment) => n + segment.rows, 0) + buffer.pendingRows;

/** Where one part of a record went: a partition buffer (with its bytes and rows), or the error prefix. */
interface Placed {
  readonly key: string;
  readonly chunk?: Uint8Array;
  readonly rows: number;
}

interface FailedRecord {
  /** The PutRecordBatch call that sent it, and its entry there (-1: found while flushing, after both). */
  readonly batch: number;
  readonly entry: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly rawData: string;
  readonly type: ErrorOutputType;
}

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
    await fs.writeFile(file, chunks, { flag: append ? 'a' : 'w' });
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

export interface PartitionQuery {
  /** The partition of a parsed record; throws when the field is missing or not a string. */
  (record: Record<string, unknown>): Record<string, string>;
  /** The partition key's name. */
  readonly key: string;
  /**
   * The partition values of a record's JSON lines without parsing them, when every line is
   * plainly one flat object (no nested object or array anywhere, the field once a line, as a
   * string without escapes); else undefined, and the record is parsed.
   */
  scanLines(text: string, lines: readonly string[]): string[] | undefined;
}

/** How often `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Reads `{key: .field[a:b]}` or `{key: .field}`: the query forms this stack uses. */
export function compilePartitionQuery(query: string): PartitionQuery {
  const m = /^\{\s*(\w+)\s*:\s*\.(\w+)(?:\[(\d+):(\d+)\])?\s*\}$/.exec(query.trim());
  if (!m) throw new Error(`unsupported MetadataExtractionQuery for the local sink: ${query}`);
  const [, key, field, from, to] = m;
  const slice = (value: string) => (from === undefined ? value : value.slice(Number(from), Number(to)));
  const extract = (record: Record<string, unknown>) => {
    const value = record[field];
    if (typeof value !== 'string') throw new Error(`${field} is missing or not a string`);
    return { [key]: slice(value) };
  };
  // Outside a string a JSON quote is never escaped, so in a record whose only '{' open its lines,
  // `{"field":"` or `,"field":"` is a line's top-level key.
  const needle = `"${field}":"`;
  const scanLines = (text: string, lines: readonly string[]) => {
    let objects = 0;
    for (const line of lines) if (line !== '') objects++;
    if (text.indexOf('[') !== -1 || occurrences(text, '{') !== objects || occurrences(text, needle) !== objects) {
      return undefined;
    }
    const values: string[] = [];
    for (const line of lines) {
      if (line === '') continue;
      if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
      const at = line.lastIndexOf(needle);
      const before = line.charCodeAt(at - 1);
      if (before !== 0x7b && before !== 0x2c) return undefined;
      const start = at + needle.length;
      const end = line.indexOf('"', start);
      if (end < 0) return undefined;
      const value = line.slice(start, end);
      if (value.includes('\\')) return undefined;
      values.push(slice(value));
    }
    return values;
  };
  return Object.assign(extract, { key, scanLines });
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
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

/** DuckDB settings of the sink's conversions: bounded, whatever the machine. */
const DUCKDB_SETTINGS = { ...DUCKDB_OFFLINE, threads: '1', memory_limit: '128MB' };
const CLOSING_SETTINGS = { ...DUCKDB_SETTINGS, threads: '2' };

/** A JSON Lines buffer that DuckDB could not read: a bad line, or a duplicate key. */
const UNREADABLE_JSON = /Malformed JSON|JSON transform error|duplicate key|Invalid Input Error: JSON/i;

export class LocalFirehose {
  readonly stats: SinkStats = {
    putRecords: 0,
    records: 0,
    delivered: 0,
    deliveredByPartition: new Map(),
    errors: 0,
    files: [],
  };
  private readonly extractPartition: PartitionQuery;
  private readonly bucketDir: string;
  private partitions = new Map<string, PartitionBuffer>();
  private failures: FailedRecord[] = [];
  /** The flush in progress, if any. */
  private flushing?: Promise<void>;
  private batch = 0;
  private readonly prefixes = new Map<string, string | undefined>();
  private readonly prefixByValue = new Map<string, string | undefined>();
  /** Hidden JSON Lines files this sink has written and not yet converted. */
  private readonly stagedFiles = new Set<string>();
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
    const placed = Records.map((record, entry) => this.accept(record.Data ?? new Uint8Array(), entry));
    let reason: string | undefined;
    try {
      await this.stagePending();
    } catch (error) {
      // Nothing of this call is on disk: it fails whole, and leaves nothing behind.
      this.rollback(placed);
      reason = (error as Error).message.split('\n')[0];
      const full = diskFullReason(error);
      // A full disk is not a fault a retry fixes: the call fails as a whole, and the sink stops.
      if (full) throw (this.fatal = new DiskFullError(this.bucketDir, full, error));
      this.signal?.throwIfAborted();
    }
    if (reason === undefined && this.bufferedBytes >= this.settings.bufferingSizeMiB * 1024 * 1024) this.flushSoon();
    // Firehose acknowledges on receipt; processing and conversion failures go to the error prefix later.
    return {
      $metadata: { httpStatusCode: 200 },
      FailedPutCount: reason === undefined ? 0 : Records.length,
      Encrypted: true,
      RequestResponses: Records.map(() =>
        reason === undefined
          ? { RecordId: randomUUID() }
          : { ErrorCode: 'ServiceUnavailableException', ErrorMessage: reason },
      ),
    };
  }

  /**
   * Starts a flush of what is on disk, unless one runs: the next calls are taken meanwhile. A
   * flush that fails leaves its segments buffered for the next one; on a full disk the sink stops.
   */
  private flushSoon(): void {
    if (this.flushing || this.fatal) return;
    this.flushing = this.flush()
      .catch((error: unknown) => {
        const full = diskFullReason(error);
        if (full) this.fatal ??= new DiskFullError(this.bucketDir, full, error);
      })
      .finally(() => {
        this.flushing = undefined;
      });
  }

  /** Takes a failed call's parts out of the buffers (they are all in memory) and its error records out. */
  private rollback(placed: readonly Placed[][]): void {
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
    const kept = this.failures.filter((f) => f.batch !== this.batch);
    this.stats.records -= this.failures.length - kept.length;
    this.failures = kept;
  }

  /** Rows acknowledged but not yet written. */
  get bufferedRows(): number {
    let n = 0;
    for (const buffer of this.partitions.values()) n += rowsOf(buffer);
    return n;
  }

  private reject(
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

  /** Adds bytes of `rows` clicks to the buffer of `prefix`. */
  private buffer(prefix: string, partition: Record<string, string>, chunk: Uint8Array, rows: number): Placed {
    let buffer = this.partitions.get(prefix);
    if (!buffer) {
      buffer = { value: Object.values(partition).join('/'), segments: [], pending: [], pendingRows: 0 };
      this.partitions.set(prefix, buffer);
    }
    buffer.pending.push(chunk);
    buffer.pendingRows += rows;
    return { key: prefix, chunk, rows };
  }

  /** Buffers one record, split into its clicks when the stream deaggregates; says where each part went. */
  private accept(data: Uint8Array, entry: number): Placed[] {
    this.stats.putRecords++;
    const text = decoder.decode(data);
    const fail = (message: string) => {
      this.stats.records++;
      return [
        this.reject(
          data,
          this.batch,
          entry,
          'processing-failed',
          'DynamicPartitioning.MetadataExtractionFailed',
          message,
        ),
      ];
    };
    if (this.settings.subRecordType !== 'JSON') {
      // The record is one JSON document.
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return fail('record is not valid JSON');
      }
      this.stats.records++;
      return [this.place(value, data, entry)];
    }

    // Most records are JSON Lines of flat objects: a scan finds their partitions, and the
    // record's own bytes are the buffer when they all share one.
    const lines = text.split('\n');
    const values = this.extractPartition.scanLines(text, lines);
    const prefixes = values?.map((value) => this.prefixForValue(value));
    if (values && prefixes && values.length > 0 && prefixes.every((prefix) => prefix !== undefined)) {
      if (values.length > MAX_SUB_RECORDS) {
        return fail(`record holds more than ${MAX_SUB_RECORDS} JSON objects, the most deaggregation splits`);
      }
      this.stats.records += values.length;
      const partition = (value: string) => ({ [this.extractPartition.key]: value });
      if (prefixes.every((prefix) => prefix === prefixes[0]) && text.endsWith('\n')) {
        return [this.buffer(prefixes[0], partition(values[0]), data, values.length)];
      }
      // Clicks of several dates in one record (backfills, late clicks): one chunk per partition,
      // so that a partition's clicks are written together, not one write per click.
      const byPrefix = new Map<string, { value: string; lines: string[] }>();
      let i = 0;
      for (const line of lines) {
        if (line === '') continue;
        const group = byPrefix.get(prefixes[i]);
        if (group) group.lines.push(line);
        else byPrefix.set(prefixes[i], { value: values[i], lines: [line] });
        i++;
      }
      return [...byPrefix].map(([prefix, { value, lines: own }]) =>
        this.buffer(prefix, partition(value), encoder.encode(`${own.join('\n')}\n`), own.length),
      );
    }
    // Anything else (pretty-printed, back to back, nested, escaped): parsed, object by object.
    const split = deaggregateJson(text);
    if ('error' in split) return fail(split.error);
    this.stats.records += split.values.length;
    return split.values.map((value) => this.place(value, encoder.encode(`${JSON.stringify(value)}\n`), entry));
  }

  /** Buffers one parsed click under its partition, or sends it to the error prefix. */
  private place(record: unknown, data: Uint8Array, entry: number, batch = this.batch): Placed {
    const fail = (type: ErrorOutputType, code: string, message: string) =>
      this.reject(data, batch, entry, type, code, message);
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return fail('processing-failed', 'DynamicPartitioning.MetadataExtractionFailed', 'record is not a JSON object');
    }
    let partition: Record<string, string>;
    try {
      partition = this.extractPartition(record as Record<string, unknown>);
    } catch (error) {
      return fail('processing-failed', 'DynamicPartitioning.MetadataExtractionFailed', (error as Error).message);
    }
    for (const column of this.settings.columns) {
      const value = (record as Record<string, unknown>)[column];
      if (typeof value === 'object' && value !== null) {
        return fail('format-conversion-failed', 'DataFormatConversion.MalformedData', `${column} is not a scalar`);
      }
    }
    const prefix = this.prefixFor(partition);
    if (prefix === undefined) {
      return fail(
        'processing-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        'partition value is not a usable key',
      );
    }
    // Normalized, so that DuckDB reads it whatever the producer wrote (duplicate keys, spacing).
    return this.buffer(prefix, partition, encoder.encode(`${JSON.stringify(record)}\n`), 1);
  }

  /** The delivery prefix of a partition value, cached by the value itself. */
  private prefixForValue(value: string): string | undefined {
    if (this.timedPrefix) return this.prefixFor({ [this.extractPartition.key]: value });
    if (!this.prefixByValue.has(value)) {
      this.prefixByValue.set(value, this.prefixFor({ [this.extractPartition.key]: value }));
    }
    return this.prefixByValue.get(value);
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

  /** Bytes on disk that no flush has taken yet. */
  private get bufferedBytes(): number {
    let n = 0;
    for (const buffer of this.partitions.values()) {
      for (const segment of buffer.segments) if (!segment.converting) n += segment.bytes;
    }
    return n;
  }

  /**
   * Writes what is buffered on disk: one Parquet file per partition, one JSON Lines file of
   * failures. Each file is committed on its own (hidden name, then rename), and only then are its
   * segments dropped; on failure, what was not committed stays buffered and no part of it is visible.
   * `settings` are its database's (bounded, unless it is the last flush).
   */
  async flush(settings: Record<string, string> = DUCKDB_SETTINGS): Promise<void> {
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
      const staged = draftPath(file, 'staged');
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
    // A full disk takes no more writes.
    if (this.fatal) throw this.fatal;
    // What is on disk now; calls answered while this flush runs go to new segments.
    const taken = [...this.partitions]
      .map(([prefix, buffer]) => ({ prefix, buffer, segments: buffer.segments.filter((s) => !s.converting) }))
      .filter((t) => t.segments.length > 0);
    for (const t of taken) for (const segment of t.segments) segment.converting = true;
    try {
      if (taken.length > 0) {
        // A database per flush: closing it gives its memory back before the next buffer fills.
        const connection = await this.connection(settings);
        try {
          for (const { prefix, buffer, segments } of taken) {
            const file = path.join(this.bucketDir, prefix, `${name()}.parquet`);
            let rows = 0;
            await commit(file, async (staged) => {
              rows = await this.convert(segments, staged, connection);
            });
            buffer.segments = buffer.segments.filter((s) => !segments.includes(s));
            for (const segment of segments) {
              await this.files.remove(segment.file).catch(() => undefined);
              this.stagedFiles.delete(segment.file);
            }
            if (rowsOf(buffer) === 0 && this.partitions.get(prefix) === buffer) this.partitions.delete(prefix);
            this.stats.delivered += rows;
            this.stats.deliveredByPartition.set(
              buffer.value,
              (this.stats.deliveredByPartition.get(buffer.value) ?? 0) + rows,
            );
          }
        } finally {
          this.closeDatabase();
        }
      }
    } finally {
      for (const t of taken) for (const segment of t.segments) segment.converting = false;
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
      this.failures = this.failures.filter((f) => !failures.includes(f));
      this.stats.errors += failures.length;
    }
  }

  /**
   * Appends each partition's in-memory part to its open segment file, once the call is answered:
   * all or nothing, so that a call that fails here leaves no part of it on disk.
   */
  private async stagePending(): Promise<void> {
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
                file: draftPath(path.join(this.bucketDir, prefix, 'segment.jsonl'), 'staged'),
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

  /**
   * Converts segment files to Parquet at `staged`; returns the rows converted. When DuckDB cannot
   * read them (a line that was taken on a scan is not valid JSON, or has a duplicate key), every
   * line is parsed: the bad ones go to the error prefix, and the rest is converted again.
   */
  private async convert(segments: readonly Segment[], staged: string, connection: DuckDBConnection): Promise<number> {
    const reread = draftPath(`${staged}.valid.jsonl`, 'staged');
    const options = {
      columns: this.settings.columns,
      compression: this.settings.parquetCompression,
      connection,
    };
    const inputs = segments.map((s) => s.file);
    try {
      await this.files.convertToParquet(inputs, staged, options);
      return segments.reduce((n, s) => n + s.rows, 0);
    } catch (error) {
      if (diskFullReason(error) || !UNREADABLE_JSON.test((error as Error).message)) throw error;
      try {
        const valid = await this.revalidate(inputs);
        await this.files.writeJsonLines(reread, valid);
        await this.files.convertToParquet([reread], staged, options);
        return valid.length;
      } finally {
        await this.files.remove(reread).catch(() => undefined);
      }
    }
  }

  /** The lines of JSON Lines files parsed one by one: the valid ones normalized, the others to the error prefix. */
  private async revalidate(files: readonly string[]): Promise<Uint8Array[]> {
    const valid: Uint8Array[] = [];
    for (const file of files) {
      for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
        if (line === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          this.reject(
            encoder.encode(`${line}\n`),
            -1,
            -1,
            'processing-failed',
            'DynamicPartitioning.MetadataExtractionFailed',
            'record is not valid JSON',
          );
          continue;
        }
        valid.push(encoder.encode(`${JSON.stringify(value)}\n`));
      }
    }
    return valid;
  }

  /** Resolves when no flush runs (tests and the benchmark look at the files then). */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /** Waits for a flush in progress, flushes the rest, and releases the database; throws SinkWriteError if acknowledged rows stay unwritten. */
  async close(): Promise<void> {
    try {
      await this.flushing;
      if (this.fatal) throw this.fatal;
      // The last flush runs alone (ingestion is over): it may use both cores.
      await this.flush(CLOSING_SETTINGS);
    } catch (error) {
      const full = diskFullReason(error);
      if (full) this.fatal ??= new DiskFullError(this.bucketDir, full, error);
      throw new SinkWriteError(this.bufferedRows, (error as Error).message.split('\n')[0]);
    } finally {
      this.discard();
    }
  }

  /**
   * Stops without writing what is buffered (the run stops): a flush in progress is interrupted
   * and waited for, and the hidden files are removed.
   */
  async abandon(): Promise<void> {
    this.db?.connection.interrupt();
    await this.flushing;
    this.discard();
  }

  /** Releases the database and removes the hidden files, without writing what is buffered. */
  discard(): void {
    this.closeDatabase();
    for (const file of this.stagedFiles) rmSync(file, { force: true });
    this.stagedFiles.clear();
  }

  private closeDatabase(): void {
    this.db?.connection.closeSync();
    this.db?.instance.closeSync();
    this.db = undefined;
  }

  private async connection(settings: Record<string, string>): Promise<DuckDBConnection> {
    if (!this.db) {
      const instance = await DuckDBInstance.create(':memory:', settings);
      this.db = { instance, connection: await instance.connect() };
    }
    return this.db.connection;
  }
}
