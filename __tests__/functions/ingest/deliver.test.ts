import {
  FirehoseClient,
  PutRecordBatchCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { deliver } from '../../../functions/ingest/deliver';
import { encodeRecord } from '../../../functions/ingest/batches';

const firehose = mockClient(FirehoseClient);
const client = new FirehoseClient({ region: 'us-east-1' });
const records = (n: number) => Array.from({ length: n }, (_, i) => encodeRecord(i, { i }));
const sentIndexes = (call: number) =>
  (firehose.commandCalls(PutRecordBatchCommand)[call].args[0].input.Records ?? []).map(
    (r) => JSON.parse(new TextDecoder().decode(r.Data)).i,
  );
const ok = (n: number) => ({
  FailedPutCount: 0,
  RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `id-${i}` })),
});
const noSleep = { sleep: async () => undefined, random: () => 0.5 };

beforeEach(() => firehose.reset());

it('packs 1,001 clicks into three records of at most 500, one JSON object per line, in one call', async () => {
  firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
  const result = await deliver(client, records(1001), { streamName: 's', deadline: Date.now() + 10_000, ...noSleep });
  const [call] = firehose.commandCalls(PutRecordBatchCommand);
  const lines = call.args[0].input.Records!.map((r) => new TextDecoder().decode(r.Data).split('\n'));
  expect(lines.map((l) => l.length - 1)).toEqual([500, 500, 1]);
  expect(lines.flatMap((l) => l.filter(Boolean).map((line) => JSON.parse(line).i))).toEqual([...Array(1001).keys()]);
  expect(result).toEqual({ delivered: [...Array(1001).keys()], failed: [], calls: 1, records: 3 });
});

it('sends 501 one-click records in two calls of at most 500', async () => {
  firehose.on(PutRecordBatchCommand).callsFake((input) => ok(input.Records.length));
  const result = await deliver(client, records(501), {
    streamName: 's',
    deadline: Date.now() + 10_000,
    maxClicksPerRecord: 1,
    ...noSleep,
  });
  expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(2);
  expect(result).toEqual({ delivered: [...Array(501).keys()], failed: [], calls: 2, records: 501 });
});

it('answers each click of a packed record that failed, and resends the record whole', async () => {
  firehose
    .on(PutRecordBatchCommand)
    .resolvesOnce({
      FailedPutCount: 1,
      RequestResponses: [{ RecordId: 'a' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
    })
    .resolves({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: 'InternalFailure' }] });
  const result = await deliver(client, records(5), {
    streamName: 's',
    deadline: Date.now() + 10_000,
    maxClicksPerRecord: 3,
    maxAttempts: 2,
    ...noSleep,
  });
  expect(result.delivered).toEqual([0, 1, 2]);
  expect(result.failed).toEqual([3, 4].map((index) => ({ index, error: 'InternalFailure' })));
  const resent = firehose.commandCalls(PutRecordBatchCommand)[1].args[0].input.Records!;
  expect(resent.map((r) => new TextDecoder().decode(r.Data))).toEqual(['{"i":3}\n{"i":4}\n']);
});

it('resends only the entries that failed, matched by index', async () => {
  firehose
    .on(PutRecordBatchCommand)
    .resolvesOnce({
      FailedPutCount: 2,
      RequestResponses: [
        { RecordId: 'a' },
        { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        { RecordId: 'c' },
        { ErrorCode: 'InternalFailure' },
      ],
    })
    .resolvesOnce(ok(2));
  const result = await deliver(client, records(4), {
    streamName: 's',
    deadline: Date.now() + 10_000,
    maxClicksPerRecord: 1,
    ...noSleep,
  });
  expect(sentIndexes(0)).toEqual([0, 1, 2, 3]);
  expect(sentIndexes(1)).toEqual([1, 3]);
  expect(result.delivered.sort()).toEqual([0, 1, 2, 3]);
  expect(result.failed).toEqual([]);
});

it('backs off exponentially with jitter between attempts', async () => {
  const delays: number[] = [];
  firehose
    .on(PutRecordBatchCommand)
    .rejects(new ServiceUnavailableException({ message: 'throttled', $metadata: { httpStatusCode: 503 } }));
  await deliver(client, records(1), {
    streamName: 's',
    deadline: Date.now() + 60_000,
    maxAttempts: 5,
    baseDelayMs: 100,
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
  });
  expect(delays).toEqual([100, 200, 400, 800]);
});

it('reports every index still failing after persistent throttling, within the time budget', async () => {
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: input.Records.length,
    RequestResponses: input.Records.map(() => ({ ErrorCode: 'ServiceUnavailableException' })),
  }));
  // A virtual clock: each backoff sleep advances it, so the budget is checked exactly.
  let clock = 1_000_000;
  const deadline = clock + 400;
  const result = await deliver(client, records(3), {
    streamName: 's',
    deadline,
    maxAttempts: 100,
    baseDelayMs: 50,
    maxDelayMs: 100,
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    random: () => 1,
  });
  expect(clock).toBeLessThanOrEqual(deadline);
  expect(result.delivered).toEqual([]);
  expect(result.failed).toEqual([0, 1, 2].map((index) => ({ index, error: 'ServiceUnavailableException' })));
  expect(result.calls).toBeGreaterThan(1);
});

it('stops after maxAttempts', async () => {
  firehose
    .on(PutRecordBatchCommand)
    .rejects(new ServiceUnavailableException({ message: 'x', $metadata: { httpStatusCode: 503 } }));
  const result = await deliver(client, records(2), {
    streamName: 's',
    deadline: Date.now() + 60_000,
    maxAttempts: 3,
    ...noSleep,
  });
  expect(result.calls).toBe(3);
  expect(result.failed.map((f) => f.error)).toEqual(Array(2).fill('ServiceUnavailableException: x'));
});

it.each([
  ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'no stream', $metadata: {} })],
  ['InvalidArgumentException', Object.assign(new Error('bad'), { name: 'InvalidArgumentException' })],
  ['AccessDeniedException', Object.assign(new Error('denied'), { name: 'AccessDeniedException' })],
  ['InvalidKMSResourceException', Object.assign(new Error('key disabled'), { name: 'InvalidKMSResourceException' })],
  ['InvalidSourceException', Object.assign(new Error('not a direct put stream'), { name: 'InvalidSourceException' })],
])('does not retry %s', async (name, error) => {
  firehose.on(PutRecordBatchCommand).rejects(error);
  const result = await deliver(client, records(2), { streamName: 's', deadline: Date.now() + 60_000, ...noSleep });
  expect(result.calls).toBe(1);
  expect(result.failed).toEqual([
    { index: 0, error: expect.stringMatching(new RegExp(`^${name}: `)) },
    { index: 1, error: expect.stringMatching(new RegExp(`^${name}: `)) },
  ]);
});

it('sends nothing when the deadline has already passed', async () => {
  const result = await deliver(client, records(2), { streamName: 's', deadline: Date.now() - 1, ...noSleep });
  expect(result.calls).toBe(0);
  expect(result.failed.map((f) => f.error)).toEqual(['DeadlineExceeded', 'DeadlineExceeded']);
});
