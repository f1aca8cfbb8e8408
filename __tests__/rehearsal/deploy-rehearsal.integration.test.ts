/**
 * The deploy rehearsal: synthesize the stack, `terraform init` offline, apply it to the moto
 * emulator, re-plan (any change not explained below fails), drive the pipeline through the
 * emulator's API, then destroy and check that nothing is left.
 *
 * What it proves, and what only a real AWS account can (Parquet conversion, IAM enforcement,
 * real Spark), is stated in the README.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { EMRServerlessClient, GetJobRunCommand, ListJobRunsCommand } from '@aws-sdk/client-emr-serverless';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main } from '../../cli/main';
import { eraseCommand } from '../../cli/erase-command';
import { ERASURE } from '../../core/contracts';
import { ClickPrivacy, privacySettings, pseudonymOf } from '../../core/privacy';
import { SuppressionList } from '../../functions/ingest/suppression-list';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ingestEvents } from '../../functions/ingest/ingest';
import { samplesOn } from '../../local/input/samples';
import {
  emulatorEnv,
  type Emulator,
  hasMoto,
  providerOverride,
  jobStatusAnswer,
  planAnswer,
  queueLambdaResults,
  startEmulator,
} from '../../rehearsal/emulator';
import { leftovers } from '../../rehearsal/leftovers';
import { findTerraform, terraform, terraformEnv } from '../../scripts/terraform';
import { requireTool } from '../support/ci';
import { captureIo } from '../support/io';
import { buildStack } from '../support/synth';
import { defaultPrivacy } from '../support/privacy';

const ready = requireTool('terraform', findTerraform() !== undefined) && requireTool('python3 with moto', hasMoto());
const step = ready ? it : it.skip;

/**
 * Diffs a second plan may show against the emulator, each with its reason. Anything else fails.
 * moto does not store the EMR Serverless application's `architecture`, so it reads back empty.
 */
const EXPLAINED_DIFFS: { address: RegExp; attribute: string; reason: string }[] = [
  {
    address: /^aws_emrserverless_application\./,
    attribute: 'architecture',
    reason: 'moto does not store architecture',
  },
];

const DATE = '2023-02-08';
const STEP_TIMEOUT_MS = 300_000;

let emulator: Emulator | undefined;
let stackDir: string;
let tfEnv: NodeJS.ProcessEnv;
let outputs: Record<string, string> = {};
let destroyed = false;
const savedEnv = { ...process.env };

const TAKES_INPUT = new Set(['init', 'apply', 'plan', 'destroy']);

function tf(args: string[], timeoutMs = STEP_TIMEOUT_MS) {
  const flags = TAKES_INPUT.has(args[0]) ? ['-no-color', '-input=false'] : ['-no-color'];
  const run = terraform([...args, ...flags], stackDir, tfEnv, { timeout: timeoutMs });
  if (run.status === null)
    throw new Error(`terraform ${args[0]} did not finish within ${timeoutMs / 1000} s and was killed`);
  return run;
}

function client<T>(Client: new (config: Record<string, unknown>) => T, extra: Record<string, unknown> = {}): T {
  return new Client({
    endpoint: emulator!.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    ...extra,
  });
}

beforeAll(async () => {
  if (!ready) return;
  emulator = await startEmulator(1_200);
  // A short poll keeps the rehearsal quick; it is a config value, not an emulator switch.
  const outdir = Testing.fullSynth(
    buildStack({ pollSeconds: 5, collector: 'public', collectorOrigins: ['https://shop.example.com'] }),
  );
  stackDir = path.join(outdir, 'stacks', 'clicklogger-dev');
  fs.writeFileSync(
    path.join(stackDir, 'emulator_override.tf.json'),
    JSON.stringify(providerOverride(emulator.endpoint), null, 2),
  );
  tfEnv = terraformEnv(stackDir);
  const init = tf(['init', '-backend=false'], 120_000);
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  Object.assign(process.env, emulatorEnv(emulator.endpoint), {});
}, 180_000);

afterAll(async () => {
  process.env = savedEnv;
  if (ready && emulator && !destroyed) tf(['destroy', '-auto-approve']);
  await emulator?.stop();
  if (stackDir) fs.rmSync(path.dirname(path.dirname(stackDir)), { recursive: true, force: true });
}, STEP_TIMEOUT_MS + 30_000);

describe('deploy rehearsal against the moto emulator', () => {
  step(
    'applies the synthesized stack',
    () => {
      const apply = tf(['apply', '-auto-approve', '-parallelism=30']);
      expect(apply.output).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
      expect(apply.status).toBe(0);
      const state = tf(['state', 'list']).output;
      for (const type of [
        'aws_scheduler_schedule',
        'aws_sns_topic',
        'aws_cloudwatch_metric_alarm',
        'aws_cloudwatch_dashboard',
        'aws_apigatewayv2_api',
        'aws_apigatewayv2_stage',
        'aws_apigatewayv2_route',
        'aws_lambda_permission',
        'aws_cloudwatch_log_metric_filter',
      ]) {
        expect(state).toContain(`${type}.`);
      }
      const json = JSON.parse(terraform(['output', '-json'], stackDir, tfEnv).output);
      outputs = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, (v as { value: string }).value]));
      fs.writeFileSync(path.join(stackDir, 'outputs.json'), JSON.stringify(json));
      process.env.CLICKLOGGER_OUTPUTS_FILE = path.join(stackDir, 'outputs.json');
      expect(outputs.state_machine_arn).toMatch(
        /^arn:aws:states:us-east-1:\d{12}:stateMachine:clicklogger-dev-state-machine$/,
      );
    },
    STEP_TIMEOUT_MS,
  );

  step(
    'converges: a second plan shows only the explained emulator gaps',
    () => {
      const plan = tf(['plan', '-detailed-exitcode', '-out=replan.tfplan'], 120_000);
      expect([0, 2]).toContain(plan.status);
      const show = JSON.parse(terraform(['show', '-json', 'replan.tfplan'], stackDir, tfEnv).output);
      const unexplained: string[] = [];
      for (const change of show.resource_changes ?? []) {
        if (change.change.actions.join() === 'no-op') continue;
        const before = change.change.before ?? {};
        const after = change.change.after ?? {};
        const changed = Object.keys({ ...before, ...after }).filter(
          (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
        );
        for (const attribute of changed) {
          const explained = EXPLAINED_DIFFS.some((d) => d.address.test(change.address) && d.attribute === attribute);
          if (!explained || change.change.actions.join() !== 'update')
            unexplained.push(`${change.address}: ${change.change.actions} ${attribute}`);
        }
      }
      expect(unexplained).toEqual([]);
    },
    150_000,
  );

  step(
    'ingests through the handler code into the raw bucket via the emulated Firehose',
    async () => {
      const summary = await ingestEvents(samplesOn(DATE), {
        firehose: client(FirehoseClient, { maxAttempts: 1 }),
        privacy: defaultPrivacy(),
        streamName: outputs.delivery_stream_name,
        receivedAt: new Date(),
        deadline: Date.now() + 30_000,
      });
      expect(summary).toMatchObject({ accepted: 8, rejected: [], failed: [] });
      const s3 = client(S3Client, { forcePathStyle: true });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: outputs.raw_bucket }));
      expect(listed.KeyCount).toBeGreaterThan(0);
      const object = await s3.send(new GetObjectCommand({ Bucket: outputs.raw_bucket, Key: listed.Contents![0].Key }));
      const text = await object.Body!.transformToString();
      // moto's Firehose stores the records as sent (no Parquet conversion): one JSON object per line.
      expect(
        text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).requestid),
      ).toEqual(samplesOn(DATE).map((c) => c.requestid));
    },
    60_000,
  );

  step(
    '`clicklogger run` drives the state machine to SUCCEEDED and submits the job as designed',
    async () => {
      // moto's Lambda cannot run Node code: queue what PlanDates and two GetJobStatus polls answer.
      await queueLambdaResults(emulator!.endpoint, [
        planAnswer(DATE),
        jobStatusAnswer('RUNNING'),
        jobStatusAnswer('SUCCESS'),
      ]);
      await client(S3Client, { forcePathStyle: true }).send(
        new PutObjectCommand({
          Bucket: outputs.output_bucket,
          Key: '2023/02/08/response.md',
          Body: '# Click report for 2023-02-08\n',
        }),
      );
      const io = captureIo();
      const code = await main(['run', '--date', DATE], io);
      expect(io.stderr).toEqual([]);
      expect(code).toBe(0);
      expect(io.stdout).toEqual(
        expect.arrayContaining([
          '→ PlanDates',
          '→ StartJobRun',
          '→ GetJobStatus',
          '  job state: RUNNING',
          '  job state: SUCCESS',
          'reported 2023-02-08',
          '# Click report for 2023-02-08',
        ]),
      );

      const emr = client(EMRServerlessClient);
      const runs = await emr.send(new ListJobRunsCommand({ applicationId: outputs.emr_application_id }));
      expect(runs.jobRuns).toHaveLength(1);
      const { jobRun } = await emr.send(
        new GetJobRunCommand({ applicationId: outputs.emr_application_id, jobRunId: runs.jobRuns![0].id }),
      );
      expect(jobRun?.jobDriver?.sparkSubmit?.entryPoint).toBe(`s3://${outputs.source_bucket}/spark/report_job.py`);
      expect(jobRun?.jobDriver?.sparkSubmit?.entryPointArguments).toEqual([
        DATE,
        outputs.raw_bucket,
        outputs.output_bucket,
      ]);
    },
    120_000,
  );

  step(
    '`clicklogger report` prints a report that exists and refuses one that does not',
    async () => {
      const io = captureIo();
      expect(await main(['report', '--date', DATE], io)).toBe(0);
      expect(io.stdout).toEqual(['# Click report for 2023-02-08']);
      const missing = captureIo();
      expect(await main(['report', '--date', '2023-02-09'], missing)).toBe(1);
      expect(missing.stderr).toEqual([
        `clicklogger: no report for 2023-02-09 at s3://${outputs.output_bucket}/2023/02/09/response.md`,
      ]);
    },
    60_000,
  );

  step(
    '`clicklogger erase --stage dev` suppresses her, runs the erase job with her pseudonym only, and reports the days again',
    async () => {
      const s3 = client(S3Client, { forcePathStyle: true });
      const ssm = client(SSMClient);
      // moto runs neither Node Lambdas nor Spark: queue the erase job's status, the re-report's
      // plan and its job's status, and stand in for the erase job's own writes (the pending day
      // now, its erasure-log record once the execution runs), as the report step does.
      await queueLambdaResults(emulator!.endpoint, [
        jobStatusAnswer('SUCCESS'),
        planAnswer(DATE),
        jobStatusAnswer('SUCCESS'),
      ]);
      await s3.send(
        new PutObjectCommand({ Bucket: outputs.output_bucket, Key: ERASURE.pending, Body: `{"days": ["${DATE}"]}\n` }),
      );
      const keyOf = async () => {
        const { Parameter } = await ssm.send(
          new GetParameterCommand({ Name: outputs.pseudonym_key_parameter, WithDecryption: true }),
        );
        return Buffer.from(Parameter!.Value!, 'base64');
      };
      let pseudonym: string | undefined;
      const io = captureIo();
      const code = await eraseCommand(['--user', 'alice@example.com', '--stage', 'dev', '--yes'], io, {
        pollSeconds: 1,
        // The first wait for the erase execution also writes the job's record, as the job would.
        sleep: async (ms) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          if (pseudonym) return;
          pseudonym = pseudonymOf('alice@example.com', await keyOf());
          const record = {
            time: '2026-12-06T20:00:00.000Z',
            subject: pseudonym,
            days: [DATE],
            files: ['clicklog/x'],
            rows: 2,
            rowsByDay: { [DATE]: 2 },
            left: 0,
          };
          await s3.send(
            new PutObjectCommand({
              Bucket: outputs.output_bucket,
              Key: `${ERASURE.logPrefix}2026-12-06T20-00-00.000Z-${pseudonym}.json`,
              Body: JSON.stringify(record),
            }),
          );
        },
      });
      expect(io.stderr).toEqual([]);
      expect(code).toBe(0);
      expect(io.stdout).toEqual(
        expect.arrayContaining([
          `erase: ${pseudonym} is on the suppression list s3://${outputs.output_bucket}/suppressed.json`,
          `erase: reporting ${DATE} again`,
          `erase: removed 2 clicks of ${pseudonym} from 1 file on ${DATE}; the job's scan finds none left`,
        ]),
      );
      // The job was submitted in its erase mode, with the pseudonym and never the name.
      const emr = client(EMRServerlessClient);
      const runs = await emr.send(new ListJobRunsCommand({ applicationId: outputs.emr_application_id }));
      const details = await Promise.all(
        runs.jobRuns!.map((r) =>
          emr.send(new GetJobRunCommand({ applicationId: outputs.emr_application_id, jobRunId: r.id })),
        ),
      );
      const erase = details.find((d) => d.jobRun?.jobDriver?.sparkSubmit?.entryPointArguments?.[0] === ERASURE.mode);
      expect(erase?.jobRun?.name).toBe(`clicklogger-erase-${pseudonym}`);
      expect(erase?.jobRun?.jobDriver?.sparkSubmit?.entryPointArguments).toEqual([
        'erase',
        'user',
        pseudonym,
        pseudonym,
        '-',
        '-',
        outputs.raw_bucket,
        outputs.output_bucket,
      ]);
      expect(JSON.stringify(details)).not.toContain('alice');
      await expect(
        s3.send(new GetObjectCommand({ Bucket: outputs.output_bucket, Key: ERASURE.pending })),
      ).rejects.toThrow();
      // The ingestion function's code reads the list from the bucket and drops her re-sent click.
      const ids = await new SuppressionList(s3, outputs.output_bucket).current();
      expect([...ids]).toEqual([pseudonym]);
      const summary = await ingestEvents([{ ...samplesOn(DATE)[0], user: 'alice@example.com' }, samplesOn(DATE)[1]], {
        firehose: client(FirehoseClient, { maxAttempts: 1 }),
        privacy: new ClickPrivacy(privacySettings({}), await keyOf(), ids),
        streamName: outputs.delivery_stream_name,
        receivedAt: new Date(),
        deadline: Date.now() + 30_000,
      });
      expect(summary).toMatchObject({ accepted: 1, suppressed: 1, rejected: [], failed: [] });
    },
    180_000,
  );

  step(
    'destroys everything it created',
    async () => {
      const destroy = tf(['destroy', '-auto-approve', '-parallelism=30']);
      expect(destroy.output).toMatch(/Destroy complete! Resources: \d+ destroyed/);
      expect(destroy.status).toBe(0);
      destroyed = true;
      expect(tf(['state', 'list']).output.trim()).toBe('');
      expect(await leftovers(emulator!.endpoint, /clicklogger[-_]dev/)).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
