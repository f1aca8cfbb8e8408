import * as fs from 'node:fs';
import * as path from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { TEST_PSEUDONYM_KEY } from '../../support/privacy';
import { pseudonymOf } from '../../../core/privacy';
import { handler } from '../../../functions/ingest/handler';
import { metrics } from '../../../functions/shared/observability';
import { lambdaContext } from '../../support/lambda-context';

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/events', name), 'utf8'));
const firehose = mockClient(FirehoseClient);
// The stage's pseudonym key, as the function reads it from SSM once per container.
mockClient(SSMClient)
  .on(GetParameterCommand)
  .resolves({ Parameter: { Value: TEST_PSEUDONYM_KEY.toString('base64') } });
const sent = () =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .flatMap((c) => c.args[0].input.Records ?? [])
    // Each record holds several clicks, one JSON object per line.
    .flatMap((r) => new TextDecoder().decode(r.Data).split('\n').filter(Boolean))
    .map((line) => JSON.parse(line));

beforeEach(() => {
  firehose.reset();
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map((_: unknown, i: number) => ({ RecordId: `id-${i}` })),
  }));
});

describe('direct invoke', () => {
  it('accepts the seed sample payload unchanged', async () => {
    // prepare
    const event = fixture('seed-click.json');
    // act
    const response = await handler(event, lambdaContext());
    // assert
    expect(response).toEqual({ statusCode: 200, accepted: 1, rejected: [], failed: [] });
    expect(sent()).toEqual([
      expect.objectContaining({
        ...event,
        user: 'GUEST',
        clientip: 'APIGWY',
        createdtime: expect.stringMatching(/Z$/),
      }),
    ]);
    expect(firehose.commandCalls(PutRecordBatchCommand)[0].args[0].input.DeliveryStreamName).toBe('test-stream');
  });

  it('sends the valid events of a mixed array and says which indexes were rejected', async () => {
    const seed = fixture('seed-click.json');
    const response = await handler([seed, { ...seed, callerid: 7 }, 'junk', seed], lambdaContext());
    expect(response).toEqual({
      statusCode: 207,
      accepted: 2,
      rejected: [
        { index: 1, errors: ['callerid: must be a string'] },
        { index: 2, errors: ['event must be a JSON object'] },
      ],
      failed: [],
    });
    expect(sent()).toHaveLength(2);
  });

  it('answers 400 when nothing is valid, and sends nothing', async () => {
    const response = await handler([{ requestid: 'only' }], lambdaContext());
    expect(response).toMatchObject({ statusCode: 400, accepted: 0 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it.each([
    ['a string', 'hello', /got string/],
    ['a number', 42, /got number/],
    ['null', null, /got null/],
    ['an empty array', [], /the array is empty/],
  ])('answers 400 to %s', async (_name, event, message) => {
    const response = await handler(event, lambdaContext());
    expect(response).toEqual({
      statusCode: 400,
      accepted: 0,
      rejected: [],
      failed: [],
      error: expect.stringMatching(message),
    });
  });

  it('answers 413 to more than 100,000 events in one request, and sends nothing', async () => {
    const response = await handler(
      Array.from({ length: 100_001 }, () => ({})),
      lambdaContext(),
    );
    expect(response).toMatchObject({ statusCode: 413, error: 'too many events: 100001, at most 100000 per request' });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('reports events that could not be delivered, and never counts them as accepted', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const response = await handler([fixture('seed-click.json')], lambdaContext());
    expect(response).toEqual({
      statusCode: 503,
      accepted: 0,
      rejected: [],
      failed: [{ index: 0, error: 'AccessDeniedException: denied' }],
    });
  });

  it('records accepted, rejected and failed metrics', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    await handler([fixture('seed-click.json'), {}], lambdaContext());
    expect(addMetric).toHaveBeenCalledWith('accepted', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('rejected', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('failed', 'Count', 0);
    addMetric.mockRestore();
  });
});

describe('HTTP events', () => {
  it('ingests a Function URL body and takes the source IP as default clientip, cut to its /24; CORS is the front’s', async () => {
    const response = await handler(fixture('function-url.json'), lambdaContext());
    expect(response).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(Object.keys((response as { headers: object }).headers)).toEqual(['content-type']);
    expect(JSON.parse((response as { body: string }).body)).toEqual({
      statusCode: 200,
      accepted: 2,
      rejected: [],
      failed: [],
    });
    expect(sent().map((c) => [c.clientip, c.user, c.createdtime])).toEqual([
      ['203.0.113.0', 'GUEST', '2023-02-08T10:00:00.000Z'],
      ['198.51.100.0', pseudonymOf('alice', TEST_PSEUDONYM_KEY), '2023-02-08T11:00:00.000Z'],
    ]);
  });

  it('decodes a base64 REST API body and takes its source IP, cut to its /24', async () => {
    const response = await handler(fixture('rest-api.json'), lambdaContext());
    expect(response).toMatchObject({ statusCode: 200 });
    expect(sent()[0]).toMatchObject({ callerid: 'Billing', clientip: '192.0.2.0' });
  });

  const http = (body: unknown, method = 'POST') => ({
    ...fixture('function-url.json'),
    body,
    requestContext: { http: { method, sourceIp: '203.0.113.7' } },
  });

  it.each([
    ['not JSON', http('{"requestid":'), 400, 'body is not valid JSON'],
    ['empty', http(''), 400, 'empty body'],
    ['a scalar', http('"click"'), 400, 'expected a click object or an array of click objects, got string'],
    [
      'over the size limit',
      http(`[${'"x",'.repeat(1_600_000)}"x"]`),
      413,
      'body is 6400005 bytes, over the 6291456-byte limit',
    ],
    ['a GET', http('{}', 'GET'), 405, 'use POST'],
  ])('answers a body that is %s with a short error', async (_name, event, statusCode, error) => {
    const response = (await handler(event, lambdaContext())) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(statusCode);
    expect(JSON.parse(response.body).error).toBe(error);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('answers a body nested 10,000 levels deep without crashing', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const response = (await handler(http(deep), lambdaContext())) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).rejected).toEqual([{ index: 0, errors: ['event must be a JSON object'] }]);
  });
});
