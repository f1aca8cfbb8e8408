/**
 * Packs encoded clicks into Firehose records, and records into PutRecordBatch calls.
 *
 * Firehose bills each record rounded up to the next 5 KB, so one click of ~220 bytes per record
 * is billed as 5,120 bytes. A record holds up to 500 clicks, one JSON object per line, which the
 * delivery stream's RecordDeAggregation processor (SubRecordType JSON) splits again before
 * partitioning and conversion. Records keep the indexes of the events they came from, so a
 * failed record maps back to each of its clicks.
 */
import { LIMITS } from './limits';

/** One click as Firehose gets it: its JSON on one line, and that line's size in UTF-8. */
export interface IndexedRecord {
  /** Index of the event in the request. */
  readonly index: number;
  readonly line: string;
  readonly bytes: number;
}

/** One JSON object per line: Firehose concatenates records, and the JSON SerDe reads lines. */
export function encodeRecord(index: number, value: unknown): IndexedRecord {
  const line = `${JSON.stringify(value)}\n`;
  return { index, line, bytes: Buffer.byteLength(line) };
}

/** Firehose refuses records over 1,000 KiB; such a record is rejected before anything is sent. */
export function oversizeError(
  record: Pick<IndexedRecord, 'bytes'>,
  maxBytes: number = LIMITS.maxRecordBytes,
): string | undefined {
  return record.bytes > maxBytes
    ? `event is ${record.bytes} bytes, over Firehose's ${maxBytes}-byte record limit`
    : undefined;
}

/** One Firehose record: the clicks of `indexes`, one JSON object per line. */
export interface PackedRecord {
  readonly indexes: readonly number[];
  readonly data: Uint8Array;
  readonly bytes: number;
}

/** Consecutive clicks packed into records of at most `maxClicks` clicks and `maxBytes` bytes. */
export function packRecords(
  clicks: readonly IndexedRecord[],
  maxClicks: number = LIMITS.maxClicksPerRecord,
  maxBytes: number = LIMITS.maxRecordBytes,
): PackedRecord[] {
  const packed: PackedRecord[] = [];
  let group: IndexedRecord[] = [];
  let bytes = 0;
  const close = () => {
    // One encoding per record, not per click.
    let text = '';
    for (const click of group) text += click.line;
    packed.push({ indexes: group.map((click) => click.index), data: Buffer.from(text), bytes });
    group = [];
    bytes = 0;
  };
  for (const click of clicks) {
    if (group.length === maxClicks || (group.length > 0 && bytes + click.bytes > maxBytes)) close();
    group.push(click);
    bytes += click.bytes;
  }
  if (group.length > 0) close();
  return packed;
}

/** Items in groups of at most `maxRecords` items and `maxBytes` bytes: PutRecordBatch calls, or invocations. */
export function* batches<T extends { readonly bytes: number }>(
  records: readonly T[],
  maxRecords: number = LIMITS.maxBatchRecords,
  maxBytes: number = LIMITS.maxBatchBytes,
): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (batch.length === maxRecords || (batch.length > 0 && bytes + record.bytes > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += record.bytes;
  }
  if (batch.length > 0) yield batch;
}
