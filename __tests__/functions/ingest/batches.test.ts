import { batches, encodeRecord, oversizeError } from '../../../functions/ingest/batches';
import { LIMITS } from '../../../functions/ingest/limits';

const records = (count: number, bytes: number) =>
  Array.from({ length: count }, (_, index) => ({ index, data: new Uint8Array(bytes) }));

it('encodes one JSON object per line', () => {
  expect(new TextDecoder().decode(encodeRecord(0, { a: 'x' }).data)).toBe('{"a":"x"}\n');
});

it('splits 501 records into 500 + 1', () => {
  expect([...batches(records(501, 10))].map((b) => b.length)).toEqual([500, 1]);
});

it('splits a 5 MiB request by bytes, keeping every batch within 4 MiB', () => {
  const all = records(50, 100 * 1024); // 50 × 100 KiB ≈ 4.9 MiB
  const split = [...batches(all)];
  expect(split.length).toBe(2);
  for (const batch of split) {
    expect(batch.reduce((n, r) => n + r.data.byteLength, 0)).toBeLessThanOrEqual(LIMITS.maxBatchBytes);
  }
  expect(split.flat().map((r) => r.index)).toEqual(all.map((r) => r.index));
});

it('flags a record over 1,000 KiB and passes one at the limit', () => {
  expect(oversizeError({ index: 0, data: new Uint8Array(LIMITS.maxRecordBytes) })).toBeUndefined();
  expect(oversizeError({ index: 0, data: new Uint8Array(LIMITS.maxRecordBytes + 1) })).toBe(
    `event is ${LIMITS.maxRecordBytes + 1} bytes, over Firehose's ${LIMITS.maxRecordBytes}-byte record limit`,
  );
});
