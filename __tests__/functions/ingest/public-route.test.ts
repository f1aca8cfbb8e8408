/** Requests on the public collector's route: the origin check, the body types and the tighter limits. */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { PUBLIC_LIMITS } from '../../../core/collector';
import { handleRequest } from '../../../functions/ingest/handle';
import { LIMITS } from '../../../functions/ingest/limits';
import { httpApiEvent } from '../../../local/collector/http-api-event';
import { defaultPrivacy } from '../../support/privacy';

const firehose = mockClient(FirehoseClient);
beforeEach(() => {
  firehose.reset();
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map((_: unknown, i: number) => ({ RecordId: `id-${i}` })),
  }));
});

const SHOP = 'https://shop.example.com';
const click = (i: number) => ({
  requestid: `r${i}`,
  contextid: 'visit',
  callerid: 'Shop',
  component: 'checkout',
  action: 'click',
  type: 'button',
});

function post(body: string, headers: Record<string, string> = {}, path = '/clicks') {
  const event = httpApiEvent({
    method: 'POST',
    path,
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: SHOP, ...headers },
    body,
    sourceIp: '203.0.113.9',
    receivedAt: new Date(),
  });
  return handleRequest(
    event,
    {
      firehose: new FirehoseClient({ region: 'us-east-1' }),
      streamName: 'test-stream',
      allowedOrigins: [SHOP],
      privacy: defaultPrivacy(),
    },
    { receivedAt: new Date(), deadline: Date.now() + 10_000 },
  );
}

it('ingests a text/plain body from an allowed origin, with the answer per click', async () => {
  const handled = await post(JSON.stringify([click(1), { ...click(2), type: 7 }]));
  expect(handled.response).toEqual({
    statusCode: 207,
    accepted: 1,
    rejected: [{ index: 1, errors: ['type: must be a string'] }],
    failed: [],
  });
  expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
});

it('refuses a page from an origin not on the list, and sends nothing', async () => {
  const handled = await post(JSON.stringify([click(1)]), { origin: 'https://evil.example.com' });
  expect(handled.response).toMatchObject({
    statusCode: 403,
    error: expect.stringContaining('may not send clicks here'),
  });
  expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
});

it('admits a caller that names no origin (not a page), and every origin with *', async () => {
  const event = httpApiEvent({
    method: 'POST',
    path: '/clicks',
    headers: { 'content-type': 'application/json', origin: 'https://any.example.org' },
    body: JSON.stringify(click(1)),
    sourceIp: '203.0.113.9',
    receivedAt: new Date(),
  });
  const target = {
    firehose: new FirehoseClient({ region: 'us-east-1' }),
    streamName: 's',
    allowedOrigins: ['*'],
    privacy: defaultPrivacy(),
  };
  const timing = { receivedAt: new Date(), deadline: Date.now() + 10_000 };
  expect((await handleRequest(event, target, timing)).response.statusCode).toBe(200);
  const { origin: _, ...noOrigin } = event.headers;
  expect(
    (await handleRequest({ ...event, headers: noOrigin }, { ...target, allowedOrigins: [] }, timing)).response
      .statusCode,
  ).toBe(200);
});

it.each([
  [
    'a body over 64 KiB',
    'x'.repeat(PUBLIC_LIMITS.maxBodyBytes + 1),
    {},
    413,
    `over the ${PUBLIC_LIMITS.maxBodyBytes}-byte limit`,
  ],
  ['201 clicks', JSON.stringify(Array.from({ length: 201 }, (_, i) => click(i))), {}, 413, 'at most 200 per request'],
  [
    'a form body',
    'a=1',
    { 'content-type': 'application/x-www-form-urlencoded' },
    415,
    'application/json or text/plain',
  ],
])('answers %s with %s and a reason', async (_, body, headers, status, reason) => {
  const handled = await post(body, headers);
  expect(handled.response.statusCode).toBe(status);
  expect(handled.response.error).toContain(reason);
  expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
});

it('keeps the invoked limits off the public route (a Function URL says $default)', async () => {
  const clicks = Array.from({ length: 201 }, (_, i) => click(i));
  const handled = await post(JSON.stringify(clicks), {}, '/');
  expect(handled.response).toMatchObject({ statusCode: 200, accepted: 201 });
  expect(LIMITS.maxEventsPerRequest).toBeGreaterThan(PUBLIC_LIMITS.maxEventsPerRequest);
});
