import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { compilePartitionQuery, renderPrefix } from '../../../local/firehose/partitioning';
import { diskFiles } from '../../../local/firehose/sink-files';
import { LocalFirehose } from '../../../local/firehose/local-firehose';
import { synthesizeLocalStack } from '../../../local/run/synthesized-stack';
import { queryReport } from '../../../report/engine';
import { sqlString, withDuckDb } from '../../../report/duckdb';
import { storedClick } from '../../support/clicks';

const stack = synthesizeLocalStack();
const at = new Date('2023-02-08T10:20:30Z');
let out: string;
beforeEach(() => (out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-sink-'))));
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

const encode = (value: unknown) => ({
  Data: new TextEncoder().encode(typeof value === 'string' ? value : `${JSON.stringify(value)}\n`),
});
const click = storedClick;
const put = (sink: LocalFirehose, records: unknown[], stream = stack.delivery.streamName) =>
  sink.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: records.map(encode) }));
const files = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    : [];

describe('settings', () => {
  it('come from the synthesized stack', () => {
    expect(stack.delivery).toMatchObject({
      streamName: 'clicklogger-dev-firehose-delivery-stream',
      rawBucket: 'us-east-1-clicklogger-dev-firehose-delivery-000000000000',
      prefix: 'clicklog/data=!{partitionKeyFromQuery:data}/',
      partitionQuery: '{data: .createdtime[0:10]}',
      parquetCompression: 'SNAPPY',
      bufferingSizeMiB: 64,
      subRecordType: 'JSON',
    });
    expect(stack.delivery.columns).toHaveLength(9);
  });
});

it('acknowledges every record, writes Parquet by event date, and the report engine reads it', async () => {
  const sink = new LocalFirehose(stack.delivery, out, () => at);
  const answer = await put(sink, [
    click('2023-02-08T01:00:00.000Z'),
    click('2023-02-09T00:00:00.000Z'),
    click('2023-02-08T23:59:59.999Z'),
  ]);
  expect(answer.FailedPutCount).toBe(0);
  expect(answer.RequestResponses).toHaveLength(3);
  await sink.close();
  const raw = path.join(out, stack.delivery.rawBucket);
  expect(
    files(raw)
      .map((f) => path.dirname(f))
      .sort(),
  ).toEqual(['clicklog/data=2023-02-08', 'clicklog/data=2023-02-09']);
  expect(await queryReport('2023-02-08', raw)).toEqual([
    { createdTime: '2023-02-08', callerid: 'App', component: 'x', count: 2, duplicates: 0 },
  ]);
});

it('sends records it cannot partition or convert to the error prefix, by error type', async () => {
  const sink = new LocalFirehose(stack.delivery, out, () => at);
  await put(sink, [
    'not json\n',
    click('2023-02-08T01:00:00.000Z', { callerid: { nested: true } }),
    { requestid: 'no time' },
    5,
    click('../../../etc'),
  ]);
  await sink.close();
  expect(sink.stats).toMatchObject({ records: 5, delivered: 0, errors: 5 });
  const raw = path.join(out, stack.delivery.rawBucket);
  const errorFiles = files(raw);
  expect(errorFiles.map((f) => path.dirname(f)).sort()).toEqual([
    'errors/format-conversion-failed/2023/02/08',
    'errors/processing-failed/2023/02/08',
  ]);
  const processing = fs
    .readFileSync(
      path.join(
        raw,
        errorFiles.find((f) => f.includes('processing'))!,
      ),
      'utf8',
    )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(processing.map((p) => p.errorMessage)).toEqual([
    'record is not valid JSON',
    'createdtime is missing or not a string',
    'record is not a JSON object',
    'partition value is not a usable key',
  ]);
  expect(Buffer.from(processing[0].rawData, 'base64').toString()).toBe('not json\n');
  expect(fs.existsSync(path.join(out, 'etc'))).toBe(false);
});

describe('multi-record deaggregation (SubRecordType JSON)', () => {
  const lines = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';

  it('splits a record into its clicks, one per line or back to back, and partitions each', async () => {
    const sink = new LocalFirehose(stack.delivery, out, () => at);
    const packed = lines(click('2023-02-08T01:00:00.000Z'), click('2023-02-09T01:00:00.000Z'));
    const backToBack = [click('2023-02-08T02:00:00.000Z'), click('2023-02-08T03:00:00.000Z')]
      .map((c) => JSON.stringify(c))
      .join('');
    const answer = await put(sink, [packed, backToBack]);
    expect(answer.FailedPutCount).toBe(0);
    await sink.close();
    expect(sink.stats).toMatchObject({ putRecords: 2, records: 4, delivered: 4, errors: 0 });
    expect(Object.fromEntries(sink.stats.deliveredByPartition)).toEqual({ '2023-02-08': 3, '2023-02-09': 1 });
  });

  it('sends a click it cannot partition to the error prefix on its own, and keeps the record’s others', async () => {
    const sink = new LocalFirehose(stack.delivery, out, () => at);
    await put(sink, [lines(click('2023-02-08T01:00:00.000Z'), { requestid: 'no time' })]);
    await sink.close();
    expect(sink.stats).toMatchObject({ records: 2, delivered: 1, errors: 1 });
    const raw = path.join(out, stack.delivery.rawBucket);
    const [errorFile] = files(raw).filter((f) => f.startsWith('errors/'));
    const [failure] = fs
      .readFileSync(path.join(raw, errorFile), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { rawData: string });
    expect(Buffer.from(failure.rawData, 'base64').toString()).toBe('{"requestid":"no time"}\n');
  });

  it('refuses an array and a record of more than 500 objects, as Firehose does', async () => {
    const sink = new LocalFirehose(stack.delivery, out, () => at);
    const many = lines(...Array.from({ length: 501 }, () => click('2023-02-08T01:00:00.000Z')));
    const exactly500 = lines(...Array.from({ length: 500 }, () => click('2023-02-08T01:00:00.000Z')));
    await put(sink, [JSON.stringify([click('2023-02-08T01:00:00.000Z')]), many, exactly500]);
    await sink.close();
    expect(sink.stats).toMatchObject({ putRecords: 3, delivered: 500, errors: 2 });
    const raw = path.join(out, stack.delivery.rawBucket);
    const [errorFile] = files(raw).filter((f) => f.startsWith('errors/'));
    const messages = fs
      .readFileSync(path.join(raw, errorFile), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { errorMessage: string }).errorMessage);
    expect(messages).toEqual([
      'an array of JSON objects is not valid input for deaggregation',
      'record holds more than 500 JSON objects, the most deaggregation splits',
    ]);
  });
});

describe('the streaming conversion', () => {
  it('writes the Glue columns as optional UTF-8 strings, SNAPPY-compressed, in one file per partition', async () => {
    const sink = new LocalFirehose(stack.delivery, out, () => at);
    await put(sink, [{ ...click('2023-02-08T01:00:00.000Z', { user: null }), extra: 'dropped' }]);
    await sink.close();
    const raw = path.join(out, stack.delivery.rawBucket);
    const [file] = files(raw);
    const schema = await withDuckDb(async (db) => {
      const reader = await db.runAndReadAll(
        `SELECT name, type, repetition_type, converted_type FROM parquet_schema(${sqlString(path.join(raw, file))}) WHERE name <> 'duckdb_schema'`,
      );
      return reader.getRowObjectsJS();
    });
    expect(schema).toEqual(
      stack.delivery.columns.map((name) => ({
        name,
        type: 'BYTE_ARRAY',
        repetition_type: 'OPTIONAL',
        converted_type: 'UTF8',
      })),
    );
    const codecs = await withDuckDb(async (db) =>
      (
        await db.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path.join(raw, file))})`)
      ).getRowObjectsJS(),
    );
    expect(codecs).toEqual([{ compression: 'SNAPPY' }]);
  });

  it('sends a line it took on a scan to the error prefix when it proves not to be JSON, and keeps the rest', async () => {
    const sink = new LocalFirehose(stack.delivery, out, () => at);
    const good = JSON.stringify(click('2023-02-08T01:00:00.000Z'));
    // Flat, with its createdtime in place, but not JSON: found only when DuckDB reads the buffer.
    const bad = '{"requestid":oops,"createdtime":"2023-02-08T02:00:00.000Z"}';
    // Duplicate keys: DuckDB refuses them, JSON.parse keeps the last, as the slow path does.
    const twice = '{"requestid":"first","requestid":"last","createdtime":"2023-02-08T03:00:00.000Z"}';
    await put(sink, [`${good}\n${bad}\n${twice}\n`]);
    await sink.close();
    expect(sink.stats).toMatchObject({ records: 3, delivered: 2, errors: 1 });
    const raw = path.join(out, stack.delivery.rawBucket);
    const parquet = files(raw).filter((f) => f.endsWith('.parquet'));
    const ids = await withDuckDb(async (db) =>
      (
        await db.runAndReadAll(
          `SELECT requestid FROM read_parquet(${sqlString(path.join(raw, parquet[0]))}) ORDER BY requestid`,
        )
      ).getRowObjectsJS(),
    );
    expect(ids.map((r) => r.requestid)).toEqual(['last', (JSON.parse(good) as { requestid: string }).requestid].sort());
    const [errorFile] = files(raw).filter((f) => f.startsWith('errors/'));
    const [failure] = fs
      .readFileSync(path.join(raw, errorFile), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { errorMessage: string; rawData: string });
    expect(failure.errorMessage).toBe('record is not valid JSON');
    expect(Buffer.from(failure.rawData, 'base64').toString()).toBe(`${bad}\n`);
  });
});

it('answers ResourceNotFound for another stream, as Firehose does', async () => {
  const sink = new LocalFirehose(stack.delivery, out);
  await expect(put(sink, [click('2023-02-08T01:00:00.000Z')], 'other-stream')).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});

it('flushes when the buffer reaches the configured size', async () => {
  const sink = new LocalFirehose({ ...stack.delivery, bufferingSizeMiB: 0.0001 }, out, () => at);
  await put(sink, [click('2023-02-08T01:00:00.000Z')]);
  // The flush runs while the next calls are taken.
  await sink.settled();
  expect(sink.stats.delivered).toBe(1);
  await sink.close();
});

describe('prefix expressions', () => {
  it('expands partition keys, error types and timestamps', () => {
    expect(
      renderPrefix('a/!{partitionKeyFromQuery:data}/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/', {
        partition: { data: '2023-02-08' },
        errorOutputType: 'processing-failed',
        at,
      }),
    ).toBe('a/2023-02-08/processing-failed/2023/02/08/10/');
  });

  it('refuses expressions it cannot expand', () => {
    expect(() => renderPrefix('!{partitionKeyFromQuery:other}/', { partition: { data: 'x' }, at })).toThrow(
      'cannot expand !{partitionKeyFromQuery:other}',
    );
  });

  it('refuses JQ queries beyond the supported forms', () => {
    expect(() => compilePartitionQuery('{data: .createdtime | split("T")[0]}')).toThrow(
      'unsupported MetadataExtractionQuery',
    );
    expect(compilePartitionQuery('{day: .createdtime[0:10]}')({ createdtime: '2023-02-08T10:00:00Z' })).toEqual({
      day: '2023-02-08',
    });
  });
});

it('writes a record whose clicks alternate between dates as one chunk per date, not one per click', async () => {
  // Prepare: count the chunks each append hands to the disk.
  const chunks: number[] = [];
  const sink = new LocalFirehose(stack.delivery, out, () => at, {
    ...diskFiles,
    writeJsonLines: (file, parts, append) => {
      chunks.push(parts.length);
      return diskFiles.writeJsonLines(file, parts, append);
    },
  });
  const lines = Array.from({ length: 500 }, (_, i) =>
    JSON.stringify(click(i % 2 === 0 ? '2023-02-08T01:00:00.000Z' : '2023-02-09T01:00:00.000Z')),
  );

  // Act: one deaggregated record of 500 clicks, two dates interleaved.
  await put(sink, [`${lines.join('\n')}\n`]);
  await sink.close();

  // Assert: each partition got its 250 clicks in one piece, and all of them were stored.
  expect(chunks).toEqual([1, 1]);
  expect(sink.stats.deliveredByPartition).toEqual(
    new Map([
      ['2023-02-08', 250],
      ['2023-02-09', 250],
    ]),
  );
});
