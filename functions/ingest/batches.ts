/**
 * Splits encoded records into PutRecordBatch calls of at most 500 records and 4 MiB.
 * Records keep the index of the event they came from, so failures map back to it.
 */
import { LIMITS } from './limits';

export interface IndexedRecord {
  /** Index of the event in the request. */
  readonly index: number;
  readonly data: Uint8Array;
}

const encoder = new TextEncoder();

/** One JSON object per line: Firehose concatenates records, and the JSON SerDe reads lines. */
export function encodeRecord(index: number, value: unknown): IndexedRecord {
  return { index, data: encoder.encode(`${JSON.stringify(value)}\n`) };
}

/** Firehose refuses records over 1,000 KiB; such a record is rejected before anything is sent. */
export function oversizeError(record: IndexedRecord, maxBytes: number = LIMITS.maxRecordBytes): string | undefined {
  return record.data.byteLength > maxBytes
    ? `event is ${record.data.byteLength} bytes, over Firehose's ${maxBytes}-byte record limit`
    : undefined;
}

export function* batches(
  records: readonly IndexedRecord[],
  maxRecords: number = LIMITS.maxBatchRecords,
  maxBytes: number = LIMITS.maxBatchBytes,
): Generator<IndexedRecord[]> {
  let batch: IndexedRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (batch.length === maxRecords || (batch.length > 0 && bytes + record.data.byteLength > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += record.data.byteLength;
  }
  if (batch.length > 0) yield batch;
}
