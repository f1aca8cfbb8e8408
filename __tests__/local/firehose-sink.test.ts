import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { compilePartitionQuery, LocalFirehose, renderPrefix } from '../../local/firehose-sink';
import { synthesizeLocalStack } from '../../local/synthesized-stack';
import { queryReport } from '../../report/engine';
import { storedClick } from '../support/clicks';

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
    [1, 2],
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

it('answers ResourceNotFound for another stream, as Firehose does', async () => {
  const sink = new LocalFirehose(stack.delivery, out);
  await expect(put(sink, [click('2023-02-08T01:00:00.000Z')], 'other-stream')).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});

it('flushes when the buffer reaches the configured size', async () => {
  const sink = new LocalFirehose({ ...stack.delivery, bufferingSizeMiB: 0.0001 }, out, () => at);
  await put(sink, [click('2023-02-08T01:00:00.000Z')]);
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
