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
import * as path from 'node:path';
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { NamedError } from '../../core/errors';
import { draftPath } from '../../report/atomic-file';
import { DUCKDB_OFFLINE } from '../../report/duckdb';
import type { DeliverySettings } from '../run/synthesized-stack';
import { convertSegments } from './conversion';
import { deaggregateJson, MAX_SUB_RECORDS } from './deaggregate';
import { type ErrorOutputType, type FailedRecord, PartitionBuffers, type Placed, rowsOf } from './partition-buffers';
import { compilePartitionQuery, pad, type PartitionQuery, PrefixRenderer, renderPrefix } from './partitioning';
import { DiskFullError, diskFiles, diskFullReason, type SinkFiles, SinkWriteError, type SinkStats } from './sink-files';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** DuckDB settings of the sink's conversions: bounded, whatever the machine. */
const DUCKDB_SETTINGS = { ...DUCKDB_OFFLINE, threads: '1', memory_limit: '128MB' };
const CLOSING_SETTINGS = { ...DUCKDB_SETTINGS, threads: '2' };

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
  private readonly prefixes: PrefixRenderer;
  private readonly buffers: PartitionBuffers;
  private readonly bucketDir: string;
  /** The flush in progress, if any. */
  private flushing?: Promise<void>;
  private batch = 0;
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
    this.prefixes = new PrefixRenderer(settings.prefix, this.extractPartition.key, clock);
    this.buffers = new PartitionBuffers(this.stats, files);
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
      await this.buffers.stage(this.bucketDir);
    } catch (error) {
      // Nothing of this call is on disk: it fails whole, and leaves nothing behind.
      this.buffers.rollback(placed, this.batch);
      reason = (error as Error).message.split('\n')[0];
      const full = diskFullReason(error);
      // A full disk is not a fault a retry fixes: the call fails as a whole, and the sink stops.
      if (full) throw (this.fatal = new DiskFullError(this.bucketDir, full, error));
      this.signal?.throwIfAborted();
    }
    if (reason === undefined && this.buffers.bufferedBytes >= this.settings.bufferingSizeMiB * 1024 * 1024)
      this.flushSoon();
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

  /** Buffers one record, split into its clicks when the stream deaggregates; says where each part went. */
  private accept(data: Uint8Array, entry: number): Placed[] {
    this.stats.putRecords++;
    const text = decoder.decode(data);
    const fail = (message: string) => {
      this.stats.records++;
      return [
        this.buffers.reject(
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
    const prefixes = values?.map((value) => this.prefixes.forValue(value));
    if (values && prefixes && values.length > 0 && prefixes.every((prefix) => prefix !== undefined)) {
      if (values.length > MAX_SUB_RECORDS) {
        return fail(`record holds more than ${MAX_SUB_RECORDS} JSON objects, the most deaggregation splits`);
      }
      this.stats.records += values.length;
      const partition = (value: string) => ({ [this.extractPartition.key]: value });
      if (prefixes.every((prefix) => prefix === prefixes[0]) && text.endsWith('\n')) {
        return [this.buffers.buffer(prefixes[0], partition(values[0]), data, values.length)];
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
        this.buffers.buffer(prefix, partition(value), encoder.encode(`${own.join('\n')}\n`), own.length),
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
      this.buffers.reject(data, batch, entry, type, code, message);
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
    const prefix = this.prefixes.forPartition(partition);
    if (prefix === undefined) {
      return fail(
        'processing-failed',
        'DynamicPartitioning.MetadataExtractionFailed',
        'partition value is not a usable key',
      );
    }
    // Normalized, so that DuckDB reads it whatever the producer wrote (duplicate keys, spacing).
    return this.buffers.buffer(prefix, partition, encoder.encode(`${JSON.stringify(record)}\n`), 1);
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
    const taken = [...this.buffers.partitions]
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
              rows = await convertSegments(segments, staged, {
                files: this.files,
                parquet: { columns: this.settings.columns, compression: this.settings.parquetCompression, connection },
                // A line that DuckDB cannot read goes to the error prefix, as Firehose reports it after acknowledging.
                onBadLine: (line) =>
                  this.buffers.reject(
                    encoder.encode(`${line}\n`),
                    -1,
                    -1,
                    'processing-failed',
                    'DynamicPartitioning.MetadataExtractionFailed',
                    'record is not valid JSON',
                  ),
              });
            });
            buffer.segments = buffer.segments.filter((s) => !segments.includes(s));
            for (const segment of segments) {
              await this.files.remove(segment.file).catch(() => undefined);
              this.buffers.stagedFiles.delete(segment.file);
            }
            if (rowsOf(buffer) === 0 && this.buffers.partitions.get(prefix) === buffer)
              this.buffers.partitions.delete(prefix);
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
    for (const failure of this.buffers.failures)
      byType.set(failure.type, [...(byType.get(failure.type) ?? []), failure]);
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
      this.buffers.failures = this.buffers.failures.filter((f) => !failures.includes(f));
      this.stats.errors += failures.length;
    }
  }

  /** Rows acknowledged but not yet written. */
  get bufferedRows(): number {
    return this.buffers.bufferedRows;
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
    for (const file of this.buffers.stagedFiles) rmSync(file, { force: true });
    this.buffers.stagedFiles.clear();
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
