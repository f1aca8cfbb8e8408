/**
 * The deployed bundles (the esbuild output the stack zips) on Node.js 22, the Lambda runtime:
 * the node-<platform> package from the npm registry provides the binary. The ingest handler
 * sends to a local Firehose endpoint, and job-status meets canned GetJobRun answers.
 */
import { reportStateMachine } from '../../stacks/terraform-json';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleFunction, type FunctionName } from '../../functions/build';
import { SEED_SAMPLES } from '../../local/input/samples';
import { CannedAws, jobRunAnswer, json, jsonError } from '../support/canned-aws';
import { requireTool } from '../support/ci';
import { Testing } from 'cdktf';
import { buildStack, find, resources, synth, type Synthesized } from '../support/synth';
import { STATES } from '../../stacks/state-machine-definition';
import { firehoseBilledBytes } from '../../cost/prices';
import { deaggregateJson } from '../../local/firehose/deaggregate';

const ROOT = path.resolve(__dirname, '..', '..');
const NODE22 = path.join(ROOT, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
const ready = requireTool(
  `Node.js 22 (the optional dependency node-${process.platform}-${process.arch})`,
  fs.existsSync(NODE22),
);
const node22It = ready ? it : it.skip;

const canned = new CannedAws();
const bundles = new Map<FunctionName, string>();
beforeAll(async () => {
  await canned.start();
  if (!ready) return;
  for (const name of ['ingest', 'job-status'] as const) bundles.set(name, path.join(bundleFunction(name), 'index.js'));
});
afterAll(() => canned.stop());
/** The ingestion function's pseudonym key, as SSM answers for it. */
const KEY_PARAMETER = '/clicklogger/dev/pseudonym-key';
beforeEach(() => {
  canned.reset();
  canned.answer(
    'GetParameter',
    json({ Parameter: { Name: KEY_PARAMETER, Value: Buffer.alloc(32, 9).toString('base64') } }),
  );
});

/**
 * Runs `handler(event, context)` of a bundle in a fresh Node 22 process, with a context whose
 * remaining time counts down from `timeoutMs` as Lambda's does; returns its result or error,
 * and how long the handler took (the module's load excluded, as Lambda's init phase is).
 */
function invoke(
  name: FunctionName,
  event: unknown,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ version: string; result?: unknown; error?: { name: string; message: string }; handlerMs: number }> {
  const script = `
const { handler } = require(${JSON.stringify(bundles.get(name))});
const started = Date.now();
const context = { functionName: 'f', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  memoryLimitInMB: '256', awsRequestId: 'r', logGroupName: 'g', logStreamName: 's',
  getRemainingTimeInMillis: () => ${timeoutMs} - (Date.now() - started) };
const answer = (outcome) => process.stdout.write(JSON.stringify({ version: process.version, handlerMs: Date.now() - started, ...outcome }));
// The event comes on standard input: a large one would not fit in the command line.
handler(JSON.parse(require('node:fs').readFileSync(0, 'utf8')), context).then(
  (result) => answer({ result }),
  (e) => answer({ error: { name: e.name, message: e.message } }),
);`;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, ['-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 't',
        AWS_SECRET_ACCESS_KEY: 't',
        AWS_ENDPOINT_URL: canned.endpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...env,
      },
    });
    child.stdin.end(JSON.stringify(event));
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`no result from ${name} on Node 22:\n${err}`));
      }
    });
  });
}

const jobRun = (state: string) => jobRunAnswer(state);

// 320 KB: the ingestion function carries the SSM client (its pseudonym key) and the S3 client
// (the suppression list) besides Firehose's.
it('deploys zips of at most 320 KB that hold no source map', () => {
  const outdir = Testing.fullSynth(buildStack());
  try {
    const stackDir = path.join(outdir, 'stacks', 'clicklogger-dev');
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Synthesized;
    const zips = resources(json, 'aws_lambda_function').map(([, fn]) => path.join(stackDir, fn.filename as string));
    expect(zips).toHaveLength(3);
    for (const zip of zips) {
      expect(fs.statSync(zip).size).toBeLessThanOrEqual(320 * 1024);
      // A zip lists its entries' names uncompressed: no map among them.
      expect(fs.readFileSync(zip).includes('index.js.map')).toBe(false);
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

node22It(
  'ingest: validates the samples and delivers them to Firehose',
  async () => {
    canned.answer(
      'PutRecordBatch',
      json({ FailedPutCount: 0, RequestResponses: SEED_SAMPLES.map((_, i) => ({ RecordId: `r${i}` })) }),
    );
    const { version, result } = await invoke('ingest', SEED_SAMPLES, {
      DELIVERY_STREAM_NAME: 'clicklogger-dev-firehose-delivery-stream',
      PSEUDONYM_KEY_PARAMETER: KEY_PARAMETER,
    });
    expect(version).toMatch(/^v22\./);
    expect(result).toMatchObject({ statusCode: 200, accepted: 8, rejected: [], failed: [] });
    // The key is read from SSM, decrypted, once.
    expect(canned.calls('GetParameter').map((c) => JSON.parse(c.body))).toEqual([
      { Name: KEY_PARAMETER, WithDecryption: true },
    ]);
    const [call] = canned.calls('PutRecordBatch');
    const sent = JSON.parse(call.body);
    expect(sent.DeliveryStreamName).toBe('clicklogger-dev-firehose-delivery-stream');
    // One record, the eight clicks one JSON object per line.
    expect(sent.Records).toHaveLength(1);
    expect(
      Buffer.from(sent.Records[0].Data, 'base64')
        .toString()
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).requestid),
    ).toEqual(SEED_SAMPLES.map((s) => s.requestid));
  },
  60_000,
);

node22It(
  'ingest: packs 1-, 10- and 1,000-click requests into records Firehose bills at most 1.5× their bytes, each click once, at most 500 a record',
  async () => {
    // A Firehose endpoint that takes every record.
    canned.answer('PutRecordBatch', {
      respond: (body) => {
        const { Records } = JSON.parse(body) as { Records: unknown[] };
        return json({ FailedPutCount: 0, RequestResponses: Records.map((_, i) => ({ RecordId: `r${i}` })) });
      },
    });
    const click = (size: number, i: number) => ({
      ...SEED_SAMPLES[i % SEED_SAMPLES.length],
      requestid: `request-${size}-${i}`,
      createdtime: '2023-02-08T10:00:00.000Z',
    });
    const sent: string[] = [];
    for (const size of [1, 10, 1000, 1, 10, 1000]) {
      const clicks = Array.from({ length: size }, (_, i) => click(size, i));
      const { result } = await invoke('ingest', clicks, {
        DELIVERY_STREAM_NAME: 's',
        PSEUDONYM_KEY_PARAMETER: KEY_PARAMETER,
      });
      expect(result).toMatchObject({ accepted: size, rejected: [], failed: [] });
      sent.push(...clicks.map((c) => c.requestid));
    }
    const records = canned
      .calls('PutRecordBatch')
      .flatMap((call) => (JSON.parse(call.body) as { Records: { Data: string }[] }).Records)
      .map((r) => Buffer.from(r.Data, 'base64'));
    const clicks = records.map((data) => {
      const split = deaggregateJson(data.toString('utf8'));
      if ('error' in split) throw new Error(split.error);
      return split.values as { requestid: string }[];
    });
    expect(clicks.every((inRecord) => inRecord.length <= 500)).toBe(true);
    expect(
      clicks
        .flat()
        .map((c) => c.requestid)
        .sort(),
    ).toEqual([...sent].sort());
    const raw = clicks.flat().reduce((n, c) => n + Buffer.byteLength(`${JSON.stringify(c)}\n`), 0);
    const billed = records.reduce((n, data) => n + firehoseBilledBytes(data.byteLength), 0);
    expect(billed / raw).toBeLessThanOrEqual(1.5);
  },
  120_000,
);

node22It(
  'ingest: counts nothing as accepted when Firehose refuses',
  async () => {
    canned.answer('PutRecordBatch', jsonError(403, 'AccessDeniedException', 'not authorized'));
    const { result } = await invoke('ingest', SEED_SAMPLES.slice(0, 2), {
      DELIVERY_STREAM_NAME: 's',
      PSEUDONYM_KEY_PARAMETER: KEY_PARAMETER,
    });
    expect(result).toMatchObject({
      accepted: 0,
      failed: [{ index: 0, error: 'AccessDeniedException: not authorized' }, { index: 1 }],
    });
  },
  60_000,
);

node22It(
  'job-status: retries a throttled GetJobRun and reports the state',
  async () => {
    canned.answer('GetJobRun', jsonError(400, 'ThrottlingException', 'Rate exceeded'), jobRun('SUCCESS'));
    const { version, result } = await invoke('job-status', { jobRunId: 'run-1', applicationId: 'app' }, {});
    expect(version).toMatch(/^v22\./);
    expect(result).toMatchObject({ state: 'SUCCESS', jobRunId: 'run-1' });
  },
  60_000,
);

node22It(
  'job-status: raises the retryable JobStatusUnavailable while throttling persists',
  async () => {
    canned.answer('GetJobRun', jsonError(400, 'ThrottlingException', 'Rate exceeded'));
    const { error } = await invoke('job-status', { jobRunId: 'run-1', applicationId: 'app' }, {});
    expect(error).toMatchObject({
      name: 'JobStatusUnavailable',
      message: expect.stringMatching(/ThrottlingException: Rate exceeded/),
    });
  },
  60_000,
);

node22It(
  'the local run works on Node 22 too (aws-local-stepfunctions declares Node 22)',
  async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-node22-'));
    try {
      const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(NODE22, [
          path.join(ROOT, 'bin', 'clicklogger.js'),
          'local',
          '--date',
          '2023-02-08',
          '--out',
          out,
        ]);
        let stdout = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.on('close', (code) => resolve({ code, stdout }));
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('8 clicks in 4 groups.');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  60_000,
);

node22It(
  'job-status: a GetJobRun that never answers ends as the retried JobStatusUnavailable, inside the function timeout',
  async () => {
    const stack = synth();
    const fn = find(stack, 'aws_lambda_function', 'function_name', 'job-status-lambda');
    const task = JSON.parse(reportStateMachine<any>(stack).definition).States[STATES.getJobStatus];
    // The endpoint takes the connection and never answers.
    canned.answer('GetJobRun', { delayMs: 10 * 60_000, then: jobRun('RUNNING') });
    const { error, handlerMs } = await invoke(
      'job-status',
      { jobRunId: 'run-1', applicationId: 'app' },
      fn.environment.variables,
      fn.timeout * 1000,
    );
    expect(error).toMatchObject({
      name: 'JobStatusUnavailable',
      message: expect.stringMatching(/^GetJobRun (failed: TimeoutError|gave no answer within)/),
    });
    expect(task.Retry[0].ErrorEquals).toContain(error!.name);
    // Lambda would have stopped it at fn.timeout: it must give up first, or the task sees Lambda.Unknown.
    expect(handlerMs).toBeLessThan(fn.timeout * 1000);
  },
  120_000,
);
