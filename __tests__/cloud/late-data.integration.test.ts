/**
 * @jest-environment jest-environment-node-single-context
 *
 * The late-data scenario on the cloud path: the state machine definition exactly as the stack
 * deploys it (references resolved as Terraform would) runs on aws-local-stepfunctions, started
 * by the schedule's input. The date plan lists partitions and reads reports in S3 (moto's) with
 * the deployed function's LATE_DAYS; the job run reads and writes S3 too, with the report
 * engine standing in for Spark (the engines are held byte-identical elsewhere).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3Inventory } from '../../functions/plan-dates/s3-inventory';
import { partitionPrefix, REPORT_FILES, SPARK_FILES } from '../../core/contracts';
import { reportKeyPrefix } from '../../core/report-date';
import { type JobEngine, LocalEmrServerless } from '../../local/emr/job-runner';
import { writeParquet } from '../../local/firehose/parquet';
import { runReportWorkflow } from '../../local/stepfunctions/report-workflow';
import { synthesizeLocalStack, synthesizeStackJson } from '../../local/run/synthesized-stack';
import { type Emulator, hasMoto, startEmulator } from '../../rehearsal/emulator';
import { runReport } from '../../report/engine';
import { ConfigSchema, stageConfig } from '../../stacks/config';
import { reportStateMachine, resourcesOf, type TerraformJson } from '../../stacks/terraform-json';
import { requireTool } from '../support/ci';

const ready = requireTool("moto, from the project's Python environment", hasMoto());
const motoIt = ready ? it : it.skip;

const D = '2023-02-08';
const D1 = '2023-02-09';
const D2 = '2023-02-10';
/** The schedule fires at 01:00 UTC and passes only its time. */
const scheduledOn = (day: string) => ({ ScheduledTime: `${day}T01:00:00Z` });

let moto: Emulator | undefined;
let s3: S3Client;
let work: string;

/** `${type.id.attribute}` references resolved as an apply would: literal attributes by value, the rest by a stable stand-in. */
function resolveReferences(json: TerraformJson, text: string): string {
  return text
    .replace(/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/g, '000000000000')
    .replace(/\$\{([\w-]+)\.([\w-]+)\.(\w+)\}/g, (_whole, type: string, id: string, attribute: string) => {
      const resource = resourcesOf<Record<string, unknown>>(json, type).find(([key]) => key === id)?.[1];
      const value = resource?.[attribute];
      return typeof value === 'string' ? resolveReferences(json, value) : `${id}-${attribute}`;
    });
}

const json = synthesizeStackJson(stageConfig(ConfigSchema.parse({}), 'dev'));
const deployed = JSON.parse(
  resolveReferences(json, reportStateMachine<{ name: string; definition: string }>(json).definition),
) as { States: { StartJobRun: { Parameters: { ApplicationId: string } } } };
const stack = synthesizeLocalStack();
const RAW = stack.delivery.rawBucket;
const OUTPUT = stack.outputBucket;

/** The dates argument of every job run, in order. */
const jobRuns: string[] = [];

/** The job in S3: downloads the listed partitions, runs the report engine, uploads the reports. */
const s3Job: JobEngine = async ({ entryPointArguments: [dates, raw, output] }) => {
  jobRuns.push(dates);
  const dir = fs.mkdtempSync(path.join(work, 'job-'));
  for (const date of dates.split(',')) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: raw, Prefix: partitionPrefix(date) }));
    for (const { Key } of listed.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: raw, Key }));
      const file = path.join(dir, 'raw', Key!);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, await object.Body!.transformToByteArray());
    }
  }
  for (const report of await runReport({
    dates: dates.split(','),
    rawDir: path.join(dir, 'raw'),
    outDir: path.join(dir, 'out'),
  })) {
    const prefix = reportKeyPrefix(report.date);
    await s3.send(new PutObjectCommand({ Bucket: output, Key: `${prefix}/${REPORT_FILES.json}`, Body: report.json }));
    await s3.send(
      new PutObjectCommand({ Bucket: output, Key: `${prefix}/${REPORT_FILES.markdown}`, Body: report.markdown }),
    );
  }
};

/** One Firehose delivery: `n` clicks of `caller` on `date`, as one Parquet object in the day's partition. */
async function deliver(name: string, date: string, n: number, caller: string, copies = 0): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({
    requestid: `${caller}-${i}`,
    contextid: 'ctx',
    callerid: caller,
    component: 'cart',
    action: 'click',
    type: 'webpage',
    user: 'GUEST',
    clientip: 'APIGWY',
    createdtime: `${date}T10:00:${String(i).padStart(2, '0')}.000Z`,
  }));
  const file = path.join(work, `${name}.parquet`);
  await writeParquet([...rows, ...rows.slice(0, copies)], file);
  await s3.send(
    new PutObjectCommand({ Bucket: RAW, Key: `${partitionPrefix(date)}${name}.parquet`, Body: fs.readFileSync(file) }),
  );
}

async function execute(input: Record<string, unknown>) {
  const emr = new LocalEmrServerless({
    applicationId: deployed.States.StartJobRun.Parameters.ApplicationId,
    scriptUri: `s3://${stack.sourceBucket}/spark/${SPARK_FILES.script}`,
    engine: s3Job,
  });
  const result = await runReportWorkflow({
    stack,
    emr,
    input,
    definition: deployed,
    inventory: new S3Inventory(s3, { raw: RAW, output: OUTPUT }),
  });
  if (result.status !== 'SUCCEEDED') throw new Error(`${result.error}: ${result.cause}`);
  return result.output as { InputDates: string[]; Reasons: Record<string, string> };
}

/** A report in S3 as stored: its bytes and when it was last written. */
async function stored(date: string) {
  return Promise.all(
    [REPORT_FILES.json, REPORT_FILES.markdown].map(async (file) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: OUTPUT, Key: `${reportKeyPrefix(date)}/${file}` }));
      return { file, body: await object.Body!.transformToString(), lastModified: object.LastModified };
    }),
  );
}
const total = async (date: string) => (JSON.parse((await stored(date))[0].body) as { total: number }).total;

beforeAll(async () => {
  if (!ready) return;
  moto = await startEmulator(600);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-cloud-late-'));
  s3 = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const bucket of [RAW, OUTPUT]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('late clicks on the deployed workflow', () => {
  motoIt(
    'the scheduled run re-reports a day whose late clicks arrived, in the same job run, and leaves unchanged days alone',
    async () => {
      expect(stack.lateDays).toBe(3);

      // 1. The run after D reports D.
      await deliver('d-1', D, 5, 'App');
      expect(await execute(scheduledOn(D1))).toMatchObject({ InputDates: [D] });
      expect(await total(D)).toBe(5);

      // 2. Late clicks for D (one delivered twice) arrive with D+1's; the run after D+1 reports both, in one job run.
      await deliver('d-late', D, 3, 'Offline', 1);
      await deliver('d1-1', D1, 4, 'App');
      const second = await execute(scheduledOn(D2));
      expect(second.InputDates).toEqual([D, D1]);
      expect(second.Reasons[D]).toBe('its partition holds 2 files, its report read 1 file: clicks arrived late');
      expect(second.Reasons[D1]).toBe('the day before the schedule fired');
      expect(jobRuns.at(-1)).toBe(`${D},${D1}`);
      expect(JSON.parse((await stored(D))[0].body)).toMatchObject({ total: 8, duplicates: 1 });
      const before = [await stored(D), await stored(D1)];

      // 3. Only D+2's clicks: the run after D+2 rewrites neither D nor D+1.
      await deliver('d2-1', D2, 2, 'App');
      expect((await execute(scheduledOn('2023-02-11'))).InputDates).toEqual([D2]);
      expect(jobRuns.at(-1)).toBe(D2);
      expect([await stored(D), await stored(D1)]).toEqual(before);

      // `clicklogger run --from/--to` forces days, changed or not.
      expect((await execute({ From: D, To: D1 })).InputDates).toEqual([D, D1]);
      expect(jobRuns).toHaveLength(4);
    },
    120_000,
  );
});
