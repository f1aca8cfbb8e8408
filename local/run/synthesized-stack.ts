/**
 * The local run's view of the stack: it synthesizes the real stack in-process and reads the
 * settings it needs back from the synthesized JSON, so they are never retyped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Cdktf from 'cdktf';
import { type PrivacySettings, privacySettings } from '../../core/privacy';
import { COLLECTOR_ORIGINS_VARIABLE } from '../../core/collector';
import { BUCKET_PURPOSES } from '../../core/contracts';
import { type Funnel, funnelsFromSparkParameters } from '../../core/funnels';
import { type JobSizing, sizingFromSparkParameters } from '../../core/job-sizing';
import { rowsPerCallerFromSparkParameters } from '../../core/report-listing';
import type { StageConfig } from '../../stacks/config';
import type * as StackModule from '../../stacks/clicklogger-stack';
import type * as NodeFunctionModule from '../../stacks/constructs/node-function';
import { cachedSynthesis } from './synth-cache';
import { type IngestionSettings, localStageConfig } from './local-config';
import {
  parseTerraformJson,
  reportStateMachine,
  resourcesOf,
  singleResource,
  type TerraformJson,
} from '../../stacks/terraform-json';

/** Stands in for the account id in local physical names. */
const LOCAL_ACCOUNT = '000000000000';

export interface DeliverySettings {
  readonly streamName: string;
  readonly rawBucket: string;
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  readonly partitionQuery: string;
  /** The RecordDeAggregation processor's SubRecordType; undefined when records are not split. */
  readonly subRecordType?: string;
  readonly bufferingSizeMiB: number;
  readonly parquetCompression: string;
  readonly columns: string[];
}

/** The public collector as deployed: its CORS, its stage's throttle, and the origins ingestion admits. */
export interface CollectorSettings {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly maxAgeSeconds: number;
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** The ingestion function's COLLECTOR_ORIGINS. */
  readonly ingestOrigins: readonly string[];
}

export interface LocalStack {
  readonly delivery: DeliverySettings;
  readonly sourceBucket: string;
  readonly outputBucket: string;
  readonly logsBucket: string;
  readonly stateMachineName: string;
  readonly jobTimeoutMinutes: number;
  /** The plan-dates function's LATE_DAYS. */
  readonly lateDays: number;
  /** The ingestion function's MAX_CLOCK_SKEW_SECONDS. */
  readonly maxClockSkewSeconds: number;
  /** Set when the stack has the public collector. */
  readonly collector?: CollectorSettings;
  /** The ingestion function's CLIENT_IP_MODE and USER_MODE. */
  readonly privacy: PrivacySettings;
  /** Days after which the raw bucket's lifecycle expires an object. */
  readonly rawRetentionDays: number;
  /** The funnels the report state machine passes the job. */
  readonly funnels: readonly Funnel[];
  /** The report job's shuffle and executor ceiling, as the state machine passes them. */
  readonly sizing: JobSizing;
  /** Rows of response.md's counts table each caller gets at most, as the state machine passes it. */
  readonly rowsPerCaller: number;
}

/** The fields of the synthesized resources that the local run reads. */
interface DeliveryStreamJson {
  readonly name: string;
  readonly extended_s3_configuration: {
    readonly bucket_arn: string;
    readonly prefix: string;
    readonly error_output_prefix: string;
    readonly buffering_size: number;
    readonly processing_configuration?: {
      readonly processors?: readonly {
        readonly type: string;
        readonly parameters: readonly { readonly parameter_name: string; readonly parameter_value: string }[];
      }[];
    };
    readonly data_format_conversion_configuration: {
      readonly output_format_configuration: {
        readonly serializer: { readonly parquet_ser_de: { readonly compression: string } };
      };
    };
  };
}
interface GlueTableJson {
  readonly storage_descriptor: { readonly columns: readonly { readonly name: string }[] };
}
interface LambdaJson {
  readonly function_name: string;
  readonly environment?: { readonly variables?: Record<string, string> };
}
interface HttpApiJson {
  readonly cors_configuration: {
    readonly allow_origins: string[];
    readonly allow_methods: string[];
    readonly allow_headers: string[];
    readonly max_age: number;
  };
}
interface StageJson {
  readonly default_route_settings: { readonly throttling_rate_limit: number; readonly throttling_burst_limit: number };
}
interface BucketJson {
  readonly bucket: string;
}
interface StateMachineJson {
  readonly name: string;
  readonly definition: string;
}

/** Replaces the account reference in a synthesized name with the local stand-in. */
function localName(value: string): string {
  const resolved = value.replace(/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/g, LOCAL_ACCOUNT);
  if (resolved.includes('${')) throw new Error(`cannot resolve "${value}" locally`);
  return resolved;
}

/** The name of the bucket that a `${aws_s3_bucket.<id>.arn}` reference points at. */
interface LifecycleJson {
  readonly bucket: string;
  readonly rule: readonly { readonly id: string; readonly expiration?: readonly { readonly days: number }[] }[];
}

const bucketIdOf = (ref: string) => /^\$\{aws_s3_bucket\.([\w-]+)\.(?:bucket|arn|id)\}$/.exec(ref)?.[1];

/** The days after which the lifecycle of the bucket `ref` names expires its objects. */
function expiryDays(json: TerraformJson, ref: string): number {
  const id = bucketIdOf(ref);
  const lifecycle = resourcesOf<LifecycleJson>(json, 'aws_s3_bucket_lifecycle_configuration').find(
    ([, l]) => bucketIdOf(l.bucket) === id,
  )?.[1];
  const days = lifecycle?.rule.find((r) => r.expiration?.length)?.expiration?.[0].days;
  if (days === undefined) throw new Error(`synthesized stack has no expiry for ${ref}`);
  return days;
}

function bucketFromRef(json: TerraformJson, ref: string): string {
  const id = bucketIdOf(ref);
  const bucket = resourcesOf<BucketJson>(json, 'aws_s3_bucket').find(([key]) => key === id)?.[1];
  if (!bucket) throw new Error(`synthesized stack has no bucket for ${ref}`);
  return localName(bucket.bucket);
}

function readLocalStack(json: TerraformJson): LocalStack {
  const stream = singleResource<DeliveryStreamJson>(json, 'aws_kinesis_firehose_delivery_stream');
  const s3 = stream.extended_s3_configuration;
  const processors = s3.processing_configuration?.processors ?? [];
  const parameter = (type: string, name: string) =>
    processors
      .filter((p) => p.type === type)
      .flatMap((p) => p.parameters)
      .find((p) => p.parameter_name === name)?.parameter_value;
  const query = parameter('MetadataExtraction', 'MetadataExtractionQuery');
  if (!query) throw new Error('synthesized Firehose has no MetadataExtractionQuery');
  const table = singleResource<GlueTableJson>(json, 'aws_glue_catalog_table');
  const buckets = resourcesOf<BucketJson>(json, 'aws_s3_bucket');
  const bucketByPurpose = (purpose: string) => {
    const found = buckets.find(([, b]) => b.bucket.includes(`-${purpose}-`));
    if (!found) throw new Error(`synthesized stack has no ${purpose} bucket`);
    return localName(found[1].bucket);
  };
  const machine = reportStateMachine<StateMachineJson>(json);
  /** A setting of the function whose name ends `-<suffix>`, as deployed. */
  const functionSetting = (suffix: string, variable: string) => {
    const fn = resourcesOf<LambdaJson>(json, 'aws_lambda_function').find(([, f]) =>
      f.function_name.endsWith(`-${suffix}`),
    )?.[1];
    const value = Number(fn?.environment?.variables?.[variable]);
    if (!Number.isInteger(value)) throw new Error(`synthesized ${suffix} has no ${variable}`);
    return value;
  };
  const ingest = resourcesOf<LambdaJson>(json, 'aws_lambda_function').find(([, f]) =>
    f.function_name.endsWith('-ingestion-lambda'),
  )?.[1];
  const definition = JSON.parse(machine.definition) as {
    States: {
      StartJobRun: {
        Parameters: { ExecutionTimeoutMinutes: number; JobDriver: { SparkSubmit: { SparkSubmitParameters: string } } };
      };
    };
  };
  const sparkParameters = definition.States.StartJobRun.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters;
  return {
    delivery: {
      streamName: localName(stream.name),
      rawBucket: bucketFromRef(json, s3.bucket_arn),
      prefix: s3.prefix,
      errorOutputPrefix: s3.error_output_prefix,
      partitionQuery: query,
      subRecordType: parameter('RecordDeAggregation', 'SubRecordType'),
      bufferingSizeMiB: s3.buffering_size,
      parquetCompression:
        s3.data_format_conversion_configuration.output_format_configuration.serializer.parquet_ser_de.compression,
      columns: table.storage_descriptor.columns.map((c) => c.name),
    },
    sourceBucket: bucketByPurpose(BUCKET_PURPOSES.source),
    outputBucket: bucketByPurpose(BUCKET_PURPOSES.output),
    logsBucket: bucketByPurpose(BUCKET_PURPOSES.logs),
    stateMachineName: localName(machine.name),
    jobTimeoutMinutes: definition.States.StartJobRun.Parameters.ExecutionTimeoutMinutes,
    lateDays: functionSetting('plan-dates-lambda', 'LATE_DAYS'),
    maxClockSkewSeconds: functionSetting('ingestion-lambda', 'MAX_CLOCK_SKEW_SECONDS'),
    collector: readCollector(json, ingest?.environment?.variables?.[COLLECTOR_ORIGINS_VARIABLE]),
    privacy: privacySettings(ingest?.environment?.variables ?? {}),
    rawRetentionDays: expiryDays(json, s3.bucket_arn),
    funnels: funnelsFromSparkParameters(sparkParameters),
    sizing: sizingFromSparkParameters(sparkParameters),
    rowsPerCaller: rowsPerCallerFromSparkParameters(sparkParameters),
  };
}

function readCollector(json: TerraformJson, ingestOrigins: string | undefined): CollectorSettings | undefined {
  if (resourcesOf(json, 'aws_apigatewayv2_api').length === 0) return undefined;
  const cors = singleResource<HttpApiJson>(json, 'aws_apigatewayv2_api').cors_configuration;
  const throttle = singleResource<StageJson>(json, 'aws_apigatewayv2_stage').default_route_settings;
  if (ingestOrigins === undefined) throw new Error(`synthesized ingestion-lambda has no ${COLLECTOR_ORIGINS_VARIABLE}`);
  return {
    allowOrigins: cors.allow_origins,
    allowMethods: cors.allow_methods,
    allowHeaders: cors.allow_headers,
    maxAgeSeconds: cors.max_age,
    rateLimit: throttle.throttling_rate_limit,
    burstLimit: throttle.throttling_burst_limit,
    ingestOrigins: ingestOrigins.split(',').filter(Boolean),
  };
}

/**
 * The synthesized Terraform JSON of one stage, built in-process, or kept from an earlier
 * synthesis of the same config and sources (synth-cache.ts). The Lambda bundles are not built:
 * their settings are enough here, and the checkout may be read-only. The app's folder is
 * removed, also on failure.
 */
export function synthesizeStackJson(config: StageConfig): TerraformJson {
  return cachedSynthesis(config, synthesize);
}

/* eslint-disable @typescript-eslint/no-require-imports -- cdktf loads only when a synthesis runs */
function synthesize(config: StageConfig): TerraformJson {
  const { Testing } = require('cdktf') as typeof Cdktf;
  const { ClickloggerStack } = require('../../stacks/clicklogger-stack') as typeof StackModule;
  const { BUNDLE_CONTEXT } = require('../../stacks/constructs/node-function') as typeof NodeFunctionModule;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-synth-'));
  try {
    const app = Testing.app({ outdir, context: { [BUNDLE_CONTEXT]: false } });
    return parseTerraformJson(Testing.synth(new ClickloggerStack(app, config)));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Synthesizes the default `dev` stage (the config users deploy) and reads it. */
export function synthesizeLocalStack(context: Record<string, unknown> = {}): LocalStack {
  return readLocalStack(synthesizeStackJson(localStageConfig(context)));
}

/** The ingestion settings a synthesized stack deploys: what the config's (localIngestionSettings) must equal. */
export function stackIngestionSettings(
  stack: Pick<LocalStack, 'delivery' | 'maxClockSkewSeconds' | 'privacy'>,
): IngestionSettings {
  return {
    streamName: stack.delivery.streamName,
    maxClockSkewMs: stack.maxClockSkewSeconds * 1000,
    privacy: stack.privacy,
  };
}
