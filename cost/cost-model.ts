/**
 * The monthly bill of a synthesized stack at a given load, service by service, and the same for
 * the seed's design at that load. The stack's own settings (function memory and architecture,
 * Firehose buffering, the job's Spark sizes, the poll interval, alarms and dashboards) come from
 * its Terraform JSON; prices from prices.ts. What no setting says (how long a call takes, how
 * well Parquet compresses) is an assumption, named in ASSUMPTIONS and in each item's basis.
 */
import { LIMITS } from '../functions/ingest/limits';
import { PUBLIC_LIMITS } from '../core/collector';
import { REPORT_FILES } from '../core/contracts';
import { idleCost } from './idle-cost';
import { sparkSetting } from '../core/spark-settings';
import { ASSUMPTIONS, type Load } from './assumptions';
import { seedCost } from './seed-cost';
import {
  type Capacity,
  type JobSize,
  type JobSizing,
  jobSize,
  parseCapacity,
  sizingFromSparkParameters,
  UnsupportedLoadError,
  type Worker,
} from '../core/job-sizing';
import { BYTES_PER_GB, DAYS_PER_MONTH, firehoseBilledBytes, PRICES } from './prices';
import { reportStateMachine, resourcesOf, singleResource, type TerraformJson } from '../stacks/terraform-json';

export interface CostItem {
  readonly service: string;
  readonly usd: number;
  /** What was counted, and how. */
  readonly basis: string;
}

export interface CostEstimate {
  readonly clicksPerDay: number;
  readonly monthlyUsd: number;
  readonly perMillionClicksUsd: number;
  readonly items: CostItem[];
  readonly seed: { readonly monthlyUsd: number; readonly perMillionClicksUsd: number };
}

/** The settings of a synthesized stack that the bill depends on. */
export interface StackFacts {
  readonly ingestMemoryMb: number;
  readonly ingestArm: boolean;
  readonly bufferingMiB: number;
  readonly bufferingSeconds: number;
  readonly pollSeconds: number;
  readonly driver: Worker;
  readonly executor: Worker;
  /** The EMR application's maximum capacity. */
  readonly capacity: Capacity;
  /** The report job's shuffle and executor ceiling, as its SparkSubmitParameters carry them. */
  readonly sizing: JobSizing;
  readonly emrArm: boolean;
  /** Custom metrics the ingestion function publishes (EMF), per stage. */
  readonly customMetrics: number;
  /** Fixed monthly items (alarms, dashboards, keys, NAT): the idle cost, free tier not counted. */
  readonly fixed: { readonly what: string; readonly usd: number }[];
  /** Days before the newest that PlanDates checks for late clicks (LATE_DAYS). */
  readonly lateDays: number;
  /** The job run's ExecutionTimeoutMinutes. */
  readonly jobTimeoutMinutes: number;
  /** Clicks arrive through the public collector (an HTTP API) rather than by invoking the function. */
  readonly publicCollector: boolean;
}

export { UnsupportedLoadError, workerMemoryGb } from '../core/job-sizing';
export { ASSUMPTIONS, DEFAULT_LOAD, type Load } from './assumptions';
export { seedCost } from './seed-cost';

interface LambdaJson {
  readonly function_name: string;
  readonly memory_size: number;
  readonly architectures?: readonly string[];
  readonly environment?: { readonly variables?: Readonly<Record<string, string>> };
}
interface FirehoseJson {
  readonly extended_s3_configuration: { readonly buffering_size: number; readonly buffering_interval: number };
}
interface StateMachineJson {
  readonly name: string;
  readonly definition: string;
}
interface EmrApplicationJson {
  readonly architecture?: string;
  readonly maximum_capacity: { readonly cpu: string; readonly memory: string };
}

/** The job writes response.md, report.json and report.html for each day. */
const REPORT_FILES_PER_DAY = Object.keys(REPORT_FILES).length;

/** The ingestion function's EMF metrics: accepted, rejected, failed and invalidRequests. */
const INGEST_CUSTOM_METRICS = 4;

function requiredSetting(parameters: string, name: string): string {
  const value = sparkSetting(parameters, name);
  if (value === undefined) throw new Error(`the job's SparkSubmitParameters set no ${name}`);
  return value;
}
const gigabytes = (memory: string) => Number.parseFloat(memory) / (/m$/i.test(memory) ? 1024 : 1);

export function stackFacts(json: TerraformJson): StackFacts {
  const ingest = resourcesOf<LambdaJson>(json, 'aws_lambda_function').find(([, f]) =>
    f.function_name.endsWith('-ingestion-lambda'),
  )?.[1];
  if (!ingest) throw new Error('the stack has no ingestion function');
  const firehose = singleResource<FirehoseJson>(json, 'aws_kinesis_firehose_delivery_stream').extended_s3_configuration;
  const definition = JSON.parse(reportStateMachine<StateMachineJson>(json).definition) as {
    States: {
      WaitForJob: { Seconds: number };
      StartJobRun: {
        Parameters: {
          ExecutionTimeoutMinutes: number;
          JobDriver: { SparkSubmit: { SparkSubmitParameters: string } };
        };
      };
    };
  };
  const spark = definition.States.StartJobRun.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters;
  const app = singleResource<EmrApplicationJson>(json, 'aws_emrserverless_application');
  const lateDays = resourcesOf<LambdaJson>(json, 'aws_lambda_function')
    .map(([, f]) => f.environment?.variables?.LATE_DAYS)
    .find((days) => days !== undefined);
  if (lateDays === undefined) throw new Error('the stack has no PlanDates function (LATE_DAYS)');
  return {
    ingestMemoryMb: ingest.memory_size,
    ingestArm: (ingest.architectures ?? []).includes('arm64'),
    bufferingMiB: firehose.buffering_size,
    bufferingSeconds: firehose.buffering_interval,
    pollSeconds: definition.States.WaitForJob.Seconds,
    driver: {
      cores: Number(requiredSetting(spark, 'spark.driver.cores')),
      memoryGb: gigabytes(requiredSetting(spark, 'spark.driver.memory')),
    },
    executor: {
      cores: Number(requiredSetting(spark, 'spark.executor.cores')),
      memoryGb: gigabytes(requiredSetting(spark, 'spark.executor.memory')),
    },
    capacity: parseCapacity(app.maximum_capacity.cpu, app.maximum_capacity.memory),
    sizing: sizingFromSparkParameters(spark),
    emrArm: app.architecture === 'ARM64',
    // The collector's throttled-request count is one more, from its access log.
    customMetrics: INGEST_CUSTOM_METRICS + resourcesOf(json, 'aws_cloudwatch_log_metric_filter').length,
    fixed: idleCost(json).items.map((item) => ({ what: item.what, usd: item.monthlyUsd })),
    lateDays: Number(lateDays),
    jobTimeoutMinutes: definition.States.StartJobRun.Parameters.ExecutionTimeoutMinutes,
    publicCollector: resourcesOf(json, 'aws_apigatewayv2_api').length > 0,
  };
}

const round = (n: number, digits = 2) => n.toFixed(digits);
const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** Bytes Firehose bills for one request of `clicks` clicks, packed `perRecord` to a record. */
function billedBytesPerRequest(clicks: number, bytesPerClick: number, perRecord: number): number {
  const full = Math.floor(clicks / perRecord);
  const rest = clicks - full * perRecord;
  return (
    full * firehoseBilledBytes(perRecord * bytesPerClick) + (rest > 0 ? firehoseBilledBytes(rest * bytesPerClick) : 0)
  );
}

/** A partition's buffer is written when it holds bufferingMiB or is bufferingSeconds old. */
export function flushesPerDay(facts: Pick<StackFacts, 'bufferingMiB' | 'bufferingSeconds'>, load: Load): number {
  return Math.max(
    86_400 / facts.bufferingSeconds,
    (load.clicksPerDay * load.bytesPerClick) / (facts.bufferingMiB * 1024 * 1024),
  );
}

/** The daily report job at `load`, as the stack sizes it (core/job-sizing.ts). */
export function dailyJob(facts: StackFacts, load: Load): JobSize {
  const filesPerDay = flushesPerDay(facts, load) * ASSUMPTIONS.activePartitions;
  return jobSize(
    { clicksPerDay: load.clicksPerDay, bytesPerClick: load.bytesPerClick, lateDays: facts.lateDays, filesPerDay },
    facts.capacity,
    { driver: facts.driver, executor: facts.executor },
  );
}

/** Throws UnsupportedLoadError for a load beyond one of the stack's limits. */
function checkLoad(facts: StackFacts, load: Load, job: JobSize): void {
  const { bytesPerClick, clicksPerRequest } = load;
  if (bytesPerClick > LIMITS.maxRecordBytes) {
    throw new UnsupportedLoadError(
      `a click of ${bytesPerClick} bytes is over Firehose's record limit of ${LIMITS.maxRecordBytes} bytes`,
    );
  }
  const body = bytesPerClick * clicksPerRequest;
  // Through the public collector, a request has the public route's limits.
  const limits = facts.publicCollector
    ? { ...PUBLIC_LIMITS, what: "the public collector's body limit" }
    : { ...LIMITS, what: 'the Lambda payload limit' };
  if (clicksPerRequest > limits.maxEventsPerRequest) {
    throw new UnsupportedLoadError(
      `a request of ${clicksPerRequest} clicks is over the ${limits.maxEventsPerRequest} clicks a request that ${facts.publicCollector ? 'the public collector' : 'ingestion'} takes`,
    );
  }
  if (body > limits.maxBodyBytes) {
    throw new UnsupportedLoadError(
      `a request of ${clicksPerRequest} clicks of ${bytesPerClick} bytes is ${body} bytes, over ${limits.what} of ${limits.maxBodyBytes} bytes`,
    );
  }
  const { capacity } = facts;
  if (job.minutes > facts.jobTimeoutMinutes) {
    const granted =
      job.executors < job.executorsWanted
        ? ` with the ${job.executors} executors that emr.maxCpu ${capacity.vcpu} vCPU and emr.maxMemory ${capacity.memoryGb} GB allow (it would use ${job.executorsWanted})`
        : '';
    throw new UnsupportedLoadError(
      `the daily job would run about ${Math.ceil(job.minutes)} minutes${granted}, over the stack's job timeout of ${facts.jobTimeoutMinutes} minutes (emr.jobTimeoutMinutes)`,
    );
  }
  if (job.shufflePartitions > facts.sizing.shufflePartitions) {
    throw new UnsupportedLoadError(
      `a day of ${count(load.clicksPerDay)} clicks needs ${count(job.shufflePartitions)} shuffle partitions; the job is sized for ${count(facts.sizing.shufflePartitions)} (emr.clicksPerDay): raise emr.clicksPerDay`,
    );
  }
}

export function estimateCost(facts: StackFacts, load: Load): CostEstimate {
  const { clicksPerDay, bytesPerClick, clicksPerRequest } = load;
  const month = DAYS_PER_MONTH;
  const clicksPerMonth = clicksPerDay * month;
  const requestsPerMonth = clicksPerMonth / clicksPerRequest;
  const rawGbPerMonth = (clicksPerMonth * bytesPerClick) / BYTES_PER_GB;
  const parquetGbPerDay = (clicksPerDay * bytesPerClick * ASSUMPTIONS.parquetRatio) / BYTES_PER_GB;
  const job = dailyJob(facts, load);
  checkLoad(facts, load, job);
  const items: CostItem[] = [];
  const add = (service: string, usd: number, basis: string) => items.push({ service, usd, basis });

  // Lambda: the ingestion function; the workflow's two small functions run a few times a day.
  const ingestSeconds = (ASSUMPTIONS.ingestMsPerRequest + ASSUMPTIONS.ingestMsPerClick * clicksPerRequest) / 1000;
  const gbSecond = facts.ingestArm ? PRICES.lambda.gbSecondArm : PRICES.lambda.gbSecondX86;
  add(
    'Lambda',
    (requestsPerMonth / 1e6) * PRICES.lambda.perMillionRequests,
    `${count(requestsPerMonth)} ingestion requests`,
  );
  add(
    'Lambda',
    requestsPerMonth * ingestSeconds * (facts.ingestMemoryMb / 1024) * gbSecond,
    `${round(ingestSeconds * 1000, 0)} ms each at ${facts.ingestMemoryMb} MB ${facts.ingestArm ? 'arm64' : 'x86_64'} (assumed: ${ASSUMPTIONS.ingestMsPerRequest} ms + ${ASSUMPTIONS.ingestMsPerClick} ms a click)`,
  );

  if (facts.publicCollector) {
    const millions = requestsPerMonth / 1e6;
    const first = Math.min(millions, 300);
    add(
      'API Gateway',
      first * PRICES.httpApi.perMillionRequests + (millions - first) * PRICES.httpApi.perMillionRequestsBeyond300M,
      `${count(requestsPerMonth)} requests to the public collector (HTTP API)`,
    );
    const accessLogGb = (requestsPerMonth * ASSUMPTIONS.accessLogBytesPerRequest) / BYTES_PER_GB;
    add(
      'CloudWatch',
      accessLogGb * (PRICES.logsIngestionGb + PRICES.logsStorageGbMonth),
      `${round(accessLogGb)} GB of the collector's access logs (${ASSUMPTIONS.accessLogBytesPerRequest} bytes a request)`,
    );
  }

  // Firehose: records of up to 500 clicks, each rounded up to 5 KB.
  const perRecord = Math.min(500, clicksPerRequest);
  const billedGb =
    (billedBytesPerRequest(clicksPerRequest, bytesPerClick, perRecord) * requestsPerMonth) / BYTES_PER_GB;
  add(
    'Firehose',
    billedGb * PRICES.firehose.ingestionGb,
    `ingestion: ${round(billedGb)} GB billed for ${round(rawGbPerMonth)} GB of clicks (records of ${perRecord} clicks, rounded up to 5 KB)`,
  );
  add('Firehose', billedGb * PRICES.firehose.formatConversionGb, `JSON to Parquet conversion of ${round(billedGb)} GB`);
  const parquetGbPerMonth = parquetGbPerDay * month;
  add(
    'Firehose',
    parquetGbPerMonth * PRICES.firehose.partitioningGb,
    `dynamic partitioning of the ${round(parquetGbPerMonth)} GB delivered to S3 (Parquet)`,
  );
  const flushes = flushesPerDay(facts, load);
  const objectsPerMonth = flushes * ASSUMPTIONS.activePartitions * month;
  add(
    'Firehose',
    (objectsPerMonth / 1000) * PRICES.firehose.partitioningPer1000Objects,
    `${count(objectsPerMonth)} objects delivered (one per ${facts.bufferingSeconds} s or ${facts.bufferingMiB} MiB)`,
  );
  const jqHours = (clicksPerMonth * ASSUMPTIONS.jqMsPerClick) / 3_600_000;
  add(
    'Firehose',
    jqHours * PRICES.firehose.jqHour,
    `${round(jqHours)} JQ hours (assumed ${ASSUMPTIONS.jqMsPerClick} ms a click)`,
  );

  // S3: Firehose's and the job's objects, PlanDates' reads, and the month's Parquet.
  const putsPerMonth = objectsPerMonth + REPORT_FILES_PER_DAY * month;
  add(
    'S3',
    (putsPerMonth / 1000) * PRICES.s3.per1000Puts,
    `${count(putsPerMonth)} PUTs (Firehose's objects, three report files a day)`,
  );
  // Each run lists every partition of the late-data window (1,000 keys a page) and reads its report.
  const windowDays = facts.lateDays + 1;
  const listsPerMonth = windowDays * Math.ceil(flushes / 1000) * month;
  const getsPerMonth = windowDays * month;
  add(
    'S3',
    (listsPerMonth / 1000) * PRICES.s3.per1000Puts + (getsPerMonth / 1000) * PRICES.s3.per1000Gets,
    `${count(listsPerMonth)} LISTs and ${count(getsPerMonth)} GETs a month (PlanDates: ${windowDays} partitions and their reports a run)`,
  );
  add(
    'S3',
    (parquetGbPerMonth / 2) * PRICES.s3.gbMonth,
    `the month's ${round(parquetGbPerMonth)} GB of Parquet, on average half stored (assumed ${ASSUMPTIONS.parquetRatio} of the JSON size); each older month kept adds $${round(parquetGbPerMonth * PRICES.s3.gbMonth)} a month`,
  );

  // EMR Serverless: the daily job, a driver and executors at the configured sizes, reading its
  // day and the late days that got a late click (each read again whole).
  const price = facts.emrArm ? PRICES.emrArm : PRICES.emrX86;
  const jobHours = (job.minutes / 60) * month;
  add(
    'EMR Serverless',
    jobHours * (job.vcpu * price.vcpuHour + job.memoryGb * price.gbHour),
    `a ${round(job.minutes, 1)}-minute job a day with ${job.vcpu} vCPU and ${job.memoryGb} GB (driver and ${job.executors} executor${job.executors === 1 ? '' : 's'}), reading ${round(job.daysRead, 1)} days of Parquet (its day, and the late days read again); storage within the free 20 GB a worker`,
  );

  // Step Functions: PlanDates, StartJobRun, each poll's Wait, task and Choice, and the end.
  const polls = Math.ceil((job.minutes * 60) / facts.pollSeconds);
  const transitions = (3 + 3 * polls) * month;
  add(
    'Step Functions',
    (transitions / 1000) * PRICES.stepFunctionsPer1000Transitions,
    `${count(transitions)} state transitions (${polls} polls a run)`,
  );

  // CloudWatch: the functions' logs, the ingestion metrics, and the fixed alarms and dashboards.
  const logGb = (requestsPerMonth * ASSUMPTIONS.logBytesPerInvocation) / BYTES_PER_GB;
  add(
    'CloudWatch',
    logGb * (PRICES.logsIngestionGb + PRICES.logsStorageGbMonth),
    `${round(logGb)} GB of function logs (${ASSUMPTIONS.logBytesPerInvocation} bytes an invocation)`,
  );
  add('CloudWatch', facts.customMetrics * PRICES.customMetricMonth, `${facts.customMetrics} custom metrics`);
  for (const fixed of facts.fixed) {
    add(
      /alarm|dashboard/.test(fixed.what) ? 'CloudWatch' : 'fixed',
      fixed.usd,
      `${fixed.what}, counted as if the account's CloudWatch free tier were used up`,
    );
  }

  const monthlyUsd = items.reduce((sum, item) => sum + item.usd, 0);
  const seed = seedCost(load);
  return {
    clicksPerDay,
    monthlyUsd,
    perMillionClicksUsd: monthlyUsd / (clicksPerMonth / 1e6),
    items,
    seed: { monthlyUsd: seed, perMillionClicksUsd: seed / (clicksPerMonth / 1e6) },
  };
}
