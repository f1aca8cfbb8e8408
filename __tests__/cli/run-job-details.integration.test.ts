/**
 * @jest-environment jest-environment-node-single-context
 *
 * `clicklogger run` shows what the job did: on failure, the job's own lines from its driver's
 * logs (gzipped objects in the logs bucket, kept here in moto's S3); on success, the resources
 * GetJobRun says were billed, and their cost. Step Functions and EMR Serverless answer from
 * canned HTTP responses.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main } from '../../cli/main';
import { driverLogKey } from '../../core/contracts';
import { type Emulator, hasMoto, startEmulator } from '../../rehearsal/emulator';
import { PRICES } from '../../cost/prices';
import { CannedAws, jobRunAnswer, json } from '../support/canned-aws';
import { requireTool } from '../support/ci';
import { captureIo } from '../support/io';

const ready = requireTool("moto, from the project's Python environment", hasMoto());
const motoIt = ready ? it : it.skip;

const OUTPUTS = {
  region: 'us-east-1',
  state_machine_arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:clicklogger-dev-state-machine',
  output_bucket: 'clicklogger-dev-output',
  logs_bucket: 'clicklogger-dev-logs',
};
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:clicklogger-dev-state-machine:report-2023-02-08-1';
const RUN = { applicationId: 'app-1', jobRunId: 'run-1' };

const canned = new CannedAws();
let moto: Emulator | undefined;
let s3: S3Client;
let work: string;
const saved = { ...process.env };

beforeAll(async () => {
  if (!ready) return;
  await canned.start();
  moto = await startEmulator(600);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-run-details-'));
  fs.writeFileSync(path.join(work, 'outputs.json'), JSON.stringify({ 'clicklogger-dev': OUTPUTS }));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: canned.endpoint,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    CLICKLOGGER_OUTPUTS_FILE: path.join(work, 'outputs.json'),
  });
  s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true });
  for (const bucket of [OUTPUTS.output_bucket, OUTPUTS.logs_bucket]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  await s3.send(
    new PutObjectCommand({ Bucket: OUTPUTS.output_bucket, Key: '2023/02/08/response.md', Body: '# Click report\n' }),
  );
}, 60_000);
afterAll(async () => {
  process.env = saved;
  if (!ready) return;
  await canned.stop();
  await moto?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});
beforeEach(() => canned.reset());

/** An execution that started job run RUN and ended `status`. */
function execution(status: string, failure?: { error: string; cause: string }) {
  canned
    .answer('StartExecution', json({ executionArn: EXECUTION, startDate: 1_700_000_000 }))
    .answer('DescribeExecution', json({ executionArn: EXECUTION, status, ...failure }))
    .answer(
      'GetExecutionHistory',
      json({
        events: [
          {
            id: 1,
            timestamp: 1_700_000_000,
            type: 'TaskSucceeded',
            taskSucceededEventDetails: {
              resourceType: 'aws-sdk:emrserverless',
              resource: 'startJobRun',
              output: JSON.stringify({ ApplicationId: RUN.applicationId, JobRunId: RUN.jobRunId, Arn: 'arn' }),
            },
          },
        ],
      }),
    );
}

async function putDriverLog(stream: 'stdout' | 'stderr', text: string) {
  await s3.send(
    new PutObjectCommand({
      Bucket: OUTPUTS.logs_bucket,
      Key: driverLogKey(RUN.applicationId, RUN.jobRunId, stream),
      Body: gzipSync(text),
    }),
  );
}

motoIt(
  "prints the failed job's own error line from its driver's stderr, without Spark's logging",
  async () => {
    execution('FAILED', { error: 'JobFailed', cause: 'Job run run-1 ended FAILED: Job failed' });
    await putDriverLog(
      'stderr',
      [
        '26/11/30 01:00:01 INFO SparkContext: Running Spark version 3.5.2',
        'report_job: error: java.io.FileNotFoundException: s3://raw/clicklog/data=2023-02-08/x.parquet is not a Parquet file',
        '26/11/30 01:00:09 INFO SparkContext: Successfully stopped SparkContext',
        '',
      ].join('\n'),
    );
    const io = captureIo();
    expect(await main(['run', '--date', '2023-02-08'], io)).toBe(1);
    expect(io.stdout).toContain(
      `job run run-1 said (s3://${OUTPUTS.logs_bucket}/jobs/applications/app-1/jobs/run-1/SPARK_DRIVER/stderr.gz):`,
    );
    expect(io.stdout).toContain(
      '  report_job: error: java.io.FileNotFoundException: s3://raw/clicklog/data=2023-02-08/x.parquet is not a Parquet file',
    );
    expect(io.stdout.join('\n')).not.toMatch(/INFO SparkContext/);
    expect(io.stderr).toEqual(['clicklogger: execution FAILED: JobFailed: Job run run-1 ended FAILED: Job failed']);
  },
  60_000,
);

motoIt(
  'says where it looked when the driver left no logs',
  async () => {
    execution('FAILED', { error: 'JobFailed', cause: 'Job run run-1 ended FAILED' });
    const io = captureIo();
    await s3.send(new CreateBucketCommand({ Bucket: 'empty-logs' })).catch(() => undefined);
    fs.writeFileSync(
      path.join(work, 'outputs.json'),
      JSON.stringify({ 'clicklogger-dev': { ...OUTPUTS, logs_bucket: 'empty-logs' } }),
    );
    try {
      expect(await main(['run', '--date', '2023-02-08'], io)).toBe(1);
    } finally {
      fs.writeFileSync(path.join(work, 'outputs.json'), JSON.stringify({ 'clicklogger-dev': OUTPUTS }));
    }
    expect(io.stdout).toContainEqual(
      expect.stringMatching(
        /^job run run-1: the driver's logs hold nothing from the job \(s3:\/\/empty-logs\/jobs\/.*stderr\.gz/,
      ),
    );
  },
  60_000,
);

motoIt(
  'prints the billed resources of a successful job and their cost',
  async () => {
    execution('SUCCEEDED');
    canned.answer(
      'GetJobRun',
      jobRunAnswer('SUCCESS', RUN.applicationId, {
        billedResourceUtilization: { vCPUHour: 0.25, memoryGBHour: 1, storageGBHour: 0 },
      }),
    );
    const io = captureIo();
    expect(await main(['run', '--date', '2023-02-08'], io)).toBe(0);
    const usd = 0.25 * PRICES.emrArm.vcpuHour + 1 * PRICES.emrArm.gbHour;
    expect(io.stdout).toContain(
      `job run run-1 billed 0.250 vCPU-hours, 1.000 GB-hours of memory and 0.000 GB-hours of storage: about $${usd.toFixed(4)}`,
    );
    expect(io.stdout).toContain('# Click report');
  },
  60_000,
);
