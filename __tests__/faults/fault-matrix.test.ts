/**
 * @jest-environment jest-environment-node-single-context
 *
 * (One realm, as in production: in jest's default sandbox, Node's socket errors fail the SDK's
 * `instanceof Error` test, and the SDK replaces them with a bare wrapper that hides their code.)
 *
 * Fault injection through the real SDK v3 clients: every AWS call the product makes meets
 * canned HTTP answers (throttling, 429, 5xx, a dropped socket, a slow answer, permanent 4xx),
 * deserialized by the SDK itself. Transient faults are retried, bounded, and then succeed;
 * permanent faults are not retried and surface their cause; nothing unacknowledged is counted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { main } from '../../cli/main';
import { deliver, firehoseClientOptions } from '../../functions/ingest/deliver';
import { encodeRecord } from '../../functions/ingest/batches';
import { getJobStatus } from '../../functions/job-status/handler';
import { awsClientOptions } from '../../core/aws-client-options';
import { type Answer, CannedAws, jobRunAnswer, json, jsonError, RESET, xmlError } from '../support/canned-aws';
import { STACK_OUTPUTS } from '../support/stack-outputs';
import { captureIo } from '../support/io';

const TIMEOUT_MS = 300;
const canned = new CannedAws();
const saved = { ...process.env };
let work: string;

beforeAll(async () => {
  await canned.start();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-faults-'));
  fs.writeFileSync(path.join(work, 'outputs.json'), JSON.stringify(STACK_OUTPUTS));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: canned.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    CLICKLOGGER_OUTPUTS_FILE: path.join(work, 'outputs.json'),
    CLICKLOGGER_AWS_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
  });
});
afterAll(async () => {
  process.env = saved;
  await canned.stop();
  fs.rmSync(work, { recursive: true, force: true });
});
beforeEach(() => canned.reset());

const sdk = () => ({
  endpoint: canned.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 't', secretAccessKey: 't' },
});

interface Outcome {
  readonly ok: boolean;
  /** What the caller is told when it is not ok. */
  readonly cause?: string;
  /** The error's name, where the product raises one. */
  readonly name?: string;
}

interface Call {
  readonly operation: string;
  readonly xml?: boolean;
  readonly ok: Answer;
  readonly run: () => Promise<Outcome>;
  /** Attempts the caller makes before giving up on a transient fault. */
  readonly attempts: number;
  /** The name a persistent transient fault surfaces as, where the workflow retries it. */
  readonly transientName?: string;
}

const io = () => captureIo();
const cli = async (argv: string[], expectText: string): Promise<Outcome> => {
  const out = io();
  const code = await main(argv, out);
  const text = [...out.stdout, ...out.stderr].join('\n');
  return { ok: code === 0 && text.includes(expectText), cause: text };
};

const CALLS: Record<string, Call> = {
  'PutRecordBatch (ingest)': {
    operation: 'PutRecordBatch',
    ok: json({ FailedPutCount: 0, Encrypted: false, RequestResponses: [{ RecordId: 'a' }, { RecordId: 'b' }] }),
    attempts: 6,
    run: async () => {
      const client = new FirehoseClient({ ...firehoseClientOptions(), ...sdk() });
      const records = [0, 1].map((i) => encodeRecord(i, { requestid: `r${i}` }));
      const result = await deliver(client, records, {
        streamName: 's',
        deadline: Date.now() + 30_000,
        sleep: async () => undefined,
      });
      return { ok: result.delivered.length === 2 && result.failed.length === 0, cause: result.failed[0]?.error };
    },
  },
  'GetJobRun (job-status)': {
    operation: 'GetJobRun',
    ok: jobRunAnswer('RUNNING'),
    attempts: 3,
    transientName: 'JobStatusUnavailable',
    run: async () => {
      try {
        const status = await getJobStatus(
          { jobRunId: 'run-1' },
          new EMRServerlessClient({ ...awsClientOptions(), ...sdk() }),
          'app',
        );
        return { ok: status.state === 'RUNNING' };
      } catch (error) {
        return { ok: false, name: (error as Error).name, cause: (error as Error).message };
      }
    },
  },
  'Invoke (send)': {
    operation: 'Invoke',
    ok: json({ statusCode: 200, accepted: 8, rejected: [], failed: [] }),
    attempts: 3,
    run: () => cli(['send', '--sample'], '8 accepted, 0 rejected, 0 failed'),
  },
  'StartExecution (run)': {
    operation: 'StartExecution',
    ok: json({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:x', startDate: 1_700_000_000 }),
    attempts: 3,
    run: () => cli(['run', '--date', '2023-02-08'], '# Click report for 2023-02-08'),
  },
  'GetExecutionHistory (run)': {
    operation: 'GetExecutionHistory',
    ok: json({ events: [] }),
    attempts: 3,
    run: () => cli(['run', '--date', '2023-02-08'], '# Click report for 2023-02-08'),
  },
  'DescribeExecution (run)': {
    operation: 'DescribeExecution',
    ok: json({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:x',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
      status: 'SUCCEEDED',
      startDate: 1_700_000_000,
    }),
    attempts: 3,
    run: () => cli(['run', '--date', '2023-02-08'], '# Click report for 2023-02-08'),
  },
  'GetObject (report)': {
    operation: 'GetObject',
    xml: true,
    ok: { status: 200, headers: { 'content-type': 'text/markdown' }, body: '# Click report for 2023-02-08\n' },
    attempts: 3,
    run: () => cli(['report', '--date', '2023-02-08'], '# Click report for 2023-02-08'),
  },
};

/** Transient faults, as each protocol sends them. */
const TRANSIENT: Record<string, (call: Call) => Answer> = {
  '400 ThrottlingException': (c) =>
    c.xml ? xmlError(400, 'Throttling', 'Rate exceeded') : jsonError(400, 'ThrottlingException', 'Rate exceeded'),
  '429 without a type': () => ({ status: 429, body: '' }),
  '500': (c) =>
    c.xml
      ? xmlError(500, 'InternalError', 'We encountered an internal error')
      : jsonError(500, 'InternalServerException', 'internal error'),
  '503': (c) =>
    c.xml
      ? xmlError(503, 'SlowDown', 'Please reduce your request rate')
      : jsonError(503, 'ServiceUnavailableException', 'unavailable'),
  'a socket reset': () => RESET,
  'a slow answer past the timeout': (c) => ({ delayMs: TIMEOUT_MS * 4, then: c.ok }),
};

const PERMANENT: Record<string, (call: Call) => Answer> = {
  AccessDenied: (c) =>
    c.xml
      ? xmlError(403, 'AccessDenied', 'Access Denied')
      : jsonError(403, 'AccessDeniedException', 'not authorized to perform this action'),
  ResourceNotFound: (c) =>
    c.xml
      ? xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist')
      : jsonError(404, 'ResourceNotFoundException', 'no such resource'),
  Validation: (c) =>
    c.xml
      ? xmlError(400, 'InvalidArgument', 'Invalid argument')
      : jsonError(
          400,
          c.operation === 'PutRecordBatch' ? 'InvalidArgumentException' : 'ValidationException',
          'invalid request',
        ),
};

/** Every call's success answer, so that a run reaches the call under test. */
function answerAllOk(): void {
  for (const call of Object.values(CALLS)) canned.answer(call.operation, call.ok);
}

const cases = (faults: Record<string, (call: Call) => Answer>) =>
  Object.entries(CALLS).flatMap(([callName, call]) =>
    Object.entries(faults).map(([fault, answer]) => [callName, fault, call, answer] as const),
  );

describe.each(cases(TRANSIENT))('%s, %s', (_, __, call, fault) => {
  it('is retried once, then succeeds', async () => {
    answerAllOk();
    canned.answer(call.operation, fault(call), call.ok);
    const outcome = await call.run();
    expect(outcome).toMatchObject({ ok: true });
    expect(canned.calls(call.operation)).toHaveLength(2);
  });

  it('is retried a bounded number of times when it persists, then fails with a cause', async () => {
    answerAllOk();
    canned.answer(call.operation, fault(call));
    const outcome = await call.run();
    expect(outcome.ok).toBe(false);
    if (call.transientName) expect(outcome.name).toBe(call.transientName);
    expect(outcome.cause).toBeTruthy();
    expect(canned.calls(call.operation)).toHaveLength(call.attempts);
  }, 20_000);
});

describe.each(cases(PERMANENT))('%s, %s', (_, fault, call, answer) => {
  it('is not retried, and its cause reaches the caller', async () => {
    answerAllOk();
    canned.answer(call.operation, answer(call));
    const outcome = await call.run();
    expect(outcome.ok).toBe(false);
    expect(outcome.name).not.toBe('JobStatusUnavailable');
    const causes: Record<string, RegExp> = {
      AccessDenied: /AccessDenied|Access Denied|not authorized/,
      ResourceNotFound: /ResourceNotFound|does not exist|not found|no such resource/,
      Validation: /Validation|InvalidArgument|[Ii]nvalid/,
    };
    expect(outcome.cause).toMatch(causes[fault]);
    expect(canned.calls(call.operation)).toHaveLength(1);
  });
});

describe('answers with partial failure', () => {
  it('PutRecordBatch: resends exactly the failed entry, and counts nothing unacknowledged', async () => {
    canned.answer(
      'PutRecordBatch',
      json({
        FailedPutCount: 1,
        RequestResponses: [{ RecordId: 'a' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
      }),
      json({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'b' }] }),
    );
    const client = new FirehoseClient({ ...firehoseClientOptions(), ...sdk() });
    const records = [0, 1].map((i) => encodeRecord(i, { requestid: `r${i}` }));
    const delays: number[] = [];
    const result = await deliver(client, records, {
      streamName: 's',
      deadline: Date.now() + 30_000,
      // One click per record, so that each entry answers for one click.
      maxClicksPerRecord: 1,
      sleep: async (ms) => void delays.push(ms),
      random: () => 1,
    });
    expect(result).toMatchObject({ delivered: [0, 1], failed: [] });
    expect(JSON.parse(canned.calls('PutRecordBatch')[1].body).Records).toHaveLength(1);
    expect(delays).toEqual([200]);
  });

  it('PutRecordBatch: backs off exponentially while a fault persists', async () => {
    canned.answer('PutRecordBatch', jsonError(503, 'ServiceUnavailableException', 'unavailable'));
    const client = new FirehoseClient({ ...firehoseClientOptions(), ...sdk() });
    const delays: number[] = [];
    const result = await deliver(client, [encodeRecord(0, { requestid: 'r' })], {
      streamName: 's',
      deadline: Date.now() + 30_000,
      sleep: async (ms) => void delays.push(ms),
      random: () => 1,
    });
    expect(result.delivered).toEqual([]);
    expect(result.failed).toEqual([{ index: 0, error: 'ServiceUnavailableException: unavailable' }]);
    expect(delays).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('Invoke: counts only what the function acknowledged', async () => {
    canned.answer(
      'Invoke',
      json({
        statusCode: 200,
        accepted: 6,
        rejected: [],
        failed: [6, 7].map((index) => ({ index, error: 'ServiceUnavailableException: Slow down.' })),
      }),
    );
    const out = captureIo();
    expect(await main(['send', '--sample'], out)).toBe(1);
    expect(out.stdout[0]).toMatch(/: 6 accepted, 0 rejected, 2 failed$/);
    expect(out.stdout).toContain('  ×2: not delivered: ServiceUnavailableException: Slow down.');
  });
});
