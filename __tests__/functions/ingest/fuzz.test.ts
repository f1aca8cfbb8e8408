/**
 * Property-based fuzzing of the ingestion handler with generated bad payloads.
 * For every one: no exception escapes, nothing invalid is sent, and the answer says what was wrong.
 */
import fc from 'fast-check';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { TEST_PSEUDONYM_KEY } from '../../support/privacy';
import { handler } from '../../../functions/ingest/handler';
import { CLICK_FIELDS } from '../../../core/click-schema';
import { lambdaContext } from '../../support/lambda-context';

const firehose = mockClient(FirehoseClient);
// The stage's pseudonym key, as the function reads it from SSM once per container.
mockClient(SSMClient)
  .on(GetParameterCommand)
  .resolves({ Parameter: { Value: TEST_PSEUDONYM_KEY.toString('base64') } });
const valid = { requestid: 'r', contextid: 'c', callerid: 'App', component: 'login', action: 'load', type: 'webpage' };
const REQUIRED = CLICK_FIELDS.filter((f) => f.required).map((f) => f.name);
const ALL = CLICK_FIELDS.map((f) => f.name);

const poison = fc.constantFrom(
  '\ud800',
  '\udfff',
  '\u0000',
  '\u202e',
  '\u200b',
  '\u0007',
  '\u001b',
  '\u2066',
  '\ufeff',
  '\u0085',
);
const poisonedString = fc
  .tuple(fc.string({ maxLength: 20 }), poison, fc.string({ maxLength: 20 }))
  .map(([a, p, b]) => a + p + b);
const hugeString = fc
  .tuple(fc.constantFrom('a', 'é', '😀', '日'), fc.integer({ min: 300, max: 5_000 }))
  .map(([c, n]) => c.repeat(n));
const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
const badTime = fc.oneof(
  fc.constantFrom(
    '2023-02-30 10:00:00',
    '2023-02-08T10:00:00',
    '13-01-2023 00:00:00',
    '2023-02-08T25:00:00Z',
    'now',
    '0',
    '2023-02-08T10:00:00+99:00',
  ),
  fc.string({ maxLength: 30 }).filter((s) => s.trim() !== '' && !/^\d/.test(s)),
);

/** A click with exactly one thing wrong with it. */
const badClick = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ALL), fc.oneof(nonString, poisonedString, hugeString))
    .map(([field, value]) => ({ ...valid, [field]: value })),
  fc.constantFrom(...REQUIRED).map((field) => {
    const copy: Record<string, unknown> = { ...valid };
    delete copy[field];
    return copy;
  }),
  fc
    .tuple(fc.constantFrom(...REQUIRED), fc.constantFrom('', ' ', '\t', '\n \n'))
    .map(([field, blank]) => ({ ...valid, [field]: blank })),
  badTime.map((createdtime) => ({ ...valid, createdtime })),
);

const BODY = Symbol('body');
const deep = fc.integer({ min: 100, max: 10_000 }).map((depth) => {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  // fast-check prints counterexamples recursively; a short name keeps that from overflowing the stack.
  return Object.assign(value, {
    [fc.toStringMethod]: () => `nested(${depth})`,
    // JSON.stringify recurses and overflows the stack at this depth; the body is written out directly.
    [BODY]: `${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}`,
  });
});
const junk = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.anything(), { maxLength: 3 }),
  deep,
);

/** Whole payloads in which no event is valid. */
const badPayload = fc.oneof(
  badClick,
  fc.array(badClick, { minLength: 1, maxLength: 20 }),
  fc.array(junk, { minLength: 1, maxLength: 10 }),
  junk,
  fc.anything().filter((v) => typeof v !== 'object' || v === null),
);

type Answer = {
  statusCode: number;
  accepted: number;
  rejected: { index: number; errors: string[] }[];
  failed: unknown[];
  error?: string;
};

function bodyOf(payload: unknown): string {
  const own = (payload as { [BODY]?: string } | null)?.[BODY];
  if (own !== undefined) return own;
  if (Array.isArray(payload)) return `[${payload.map((item) => bodyOf(item) || 'null').join(',')}]`;
  return JSON.stringify(payload) ?? '';
}

async function answer(payload: unknown, viaHttp: boolean): Promise<Answer> {
  if (!viaHttp) return (await handler(payload, lambdaContext())) as Answer;
  const event = { requestContext: { http: { method: 'POST', sourceIp: '203.0.113.1' } }, body: bodyOf(payload) };
  const response = (await handler(event, lambdaContext())) as { body: string };
  return JSON.parse(response.body);
}

beforeEach(() => {
  firehose.reset();
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map(() => ({ RecordId: 'id' })),
  }));
});

it('rejects 1,000 generated bad payloads cleanly', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(badPayload, fc.boolean(), async (payload, viaHttp) => {
      runs++;
      firehose.resetHistory();
      const result = await answer(payload, viaHttp); // must not throw

      expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
      expect(result.accepted).toBe(0);
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      if (result.error) {
        expect(result.error.length).toBeGreaterThan(0);
        expect(result.error.length).toBeLessThan(200);
      } else {
        const events = Array.isArray(payload) ? payload : [payload];
        expect(result.rejected.map((r) => r.index)).toEqual(events.map((_, i) => i));
        for (const r of result.rejected) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e.length).toBeLessThan(200);
        }
      }
    }),
    { numRuns: 1_000, seed: Number(process.env.FUZZ_SEED ?? 20260224) },
  );
  expect(runs).toBe(1_000);
}, 120_000);

it('sends every valid event of a mix, and only those', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(badClick, fc.constant(valid)), { minLength: 1, maxLength: 30 }),
      async (events) => {
        firehose.resetHistory();
        const result = await answer(events, false);
        const validIndexes = events.flatMap((e, i) => (e === valid ? [i] : []));
        // Clicks, one JSON object per line of each packed record.
        const sentCount = firehose
          .commandCalls(PutRecordBatchCommand)
          .flatMap((c) => c.args[0].input.Records ?? [])
          .reduce((n, r) => n + new TextDecoder().decode(r.Data).split('\n').filter(Boolean).length, 0);
        expect(sentCount).toBe(validIndexes.length);
        expect(result.accepted).toBe(validIndexes.length);
        expect(result.rejected.map((r) => r.index)).toEqual(events.flatMap((e, i) => (e === valid ? [] : [i])));
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});
