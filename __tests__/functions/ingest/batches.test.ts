import { batches, encodeRecord, oversizeError, packRecords } from '../../../functions/ingest/batches';
import { LIMITS } from '../../../functions/ingest/limits';

const records = (count: number, bytes: number) => Array.from({ length: count }, (_, index) => ({ index, bytes }));

it('encodes one JSON object per line, and counts its UTF-8 bytes', () => {
  expect(encodeRecord(0, { a: 'x' })).toEqual({ index: 0, line: '{"a":"x"}\n', bytes: 10 });
  expect(encodeRecord(1, { a: 'é🛒' }).bytes).toBe(Buffer.byteLength('{"a":"é🛒"}\n'));
});

it('packs clicks in order into records of at most 500, and by bytes, each record their lines', () => {
  const clicks = Array.from({ length: 1001 }, (_, i) => encodeRecord(i, { i }));
  const packed = packRecords(clicks);
  expect(packed.map((r) => r.indexes.length)).toEqual([500, 500, 1]);
  expect(packed.flatMap((r) => r.indexes)).toEqual([...Array(1001).keys()]);
  expect(Buffer.from(packed[2].data).toString()).toBe('{"i":1000}\n');
  expect(packed.every((r) => r.bytes === r.data.byteLength)).toBe(true);
  const big = Array.from({ length: 3 }, (_, i) => encodeRecord(i, { pad: 'x'.repeat(400 * 1024) }));
  expect(packRecords(big).map((r) => r.indexes)).toEqual([[0, 1], [2]]);
});

it('splits 501 records into 500 + 1', () => {
  expect([...batches(records(501, 10))].map((b) => b.length)).toEqual([500, 1]);
});

it('splits a 5 MiB request by bytes, keeping every batch within 4 MiB', () => {
  const all = records(50, 100 * 1024); // 50 × 100 KiB ≈ 4.9 MiB
  const split = [...batches(all)];
  expect(split.length).toBe(2);
  for (const batch of split) {
    expect(batch.reduce((n, r) => n + r.bytes, 0)).toBeLessThanOrEqual(LIMITS.maxBatchBytes);
  }
  expect(split.flat().map((r) => r.index)).toEqual(all.map((r) => r.index));
});

it('flags a record over 1,000 KiB and passes one at the limit', () => {
  expect(oversizeError({ bytes: LIMITS.maxRecordBytes })).toBeUndefined();
  expect(oversizeError({ bytes: LIMITS.maxRecordBytes + 1 })).toBe(
    `event is ${LIMITS.maxRecordBytes + 1} bytes, over Firehose's ${LIMITS.maxRecordBytes}-byte record limit`,
  );
});
