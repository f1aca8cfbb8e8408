/**
 * The local run's view of the stack: it synthesizes the real stack in-process and reads the
 * settings it needs back from the synthesized JSON, so they are never retyped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { ConfigSchema, StageConfig, stageConfig } from '../stacks/config';
import { ClickloggerStack } from '../stacks/clicklogger-stack';
import { BUNDLE_CONTEXT } from '../stacks/constructs/node-function';

/** Stands in for the account id in local physical names. */
export const LOCAL_ACCOUNT = '000000000000';

export interface DeliverySettings {
  readonly streamName: string;
  readonly rawBucket: string;
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  readonly partitionQuery: string;
  readonly bufferingSizeMiB: number;
  readonly parquetCompression: string;
  readonly columns: string[];
}

export interface LocalStack {
  readonly delivery: DeliverySettings;
  readonly sourceBucket: string;
  readonly outputBucket: string;
  readonly logsBucket: string;
  readonly stateMachineName: string;
  readonly jobTimeoutMinutes: number;
}

type Json = Record<string, any>;

function single(json: Json, type: string): Json {
  const all = Object.values(json.resource?.[type] ?? {}) as Json[];
  if (all.length !== 1) throw new Error(`synthesized stack has ${all.length} ${type}, expected 1`);
  return all[0];
}

/** Replaces the account reference in a synthesized name with the local stand-in. */
function localName(value: string): string {
  const resolved = value.replace(/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/g, LOCAL_ACCOUNT);
  if (resolved.includes('${')) throw new Error(`cannot resolve "${value}" locally`);
  return resolved;
}

/** The name of the bucket that a `${aws_s3_bucket.<id>.arn}` reference points at. */
function bucketFromRef(json: Json, ref: string): string {
  const id = /^\$\{aws_s3_bucket\.([\w-]+)\.(?:bucket|arn)\}$/.exec(ref)?.[1];
  const bucket = id === undefined ? undefined : json.resource.aws_s3_bucket[id];
  if (!bucket) throw new Error(`synthesized stack has no bucket for ${ref}`);
  return localName(bucket.bucket);
}

export function readLocalStack(json: Json): LocalStack {
  const stream = single(json, 'aws_kinesis_firehose_delivery_stream');
  const s3 = stream.extended_s3_configuration;
  const query = (s3.processing_configuration?.processors ?? [])
    .filter((p: Json) => p.type === 'MetadataExtraction')
    .flatMap((p: Json) => p.parameters)
    .find((p: Json) => p.parameter_name === 'MetadataExtractionQuery')?.parameter_value;
  if (!query) throw new Error('synthesized Firehose has no MetadataExtractionQuery');
  const table = single(json, 'aws_glue_catalog_table');
  const buckets = Object.entries(json.resource.aws_s3_bucket as Record<string, Json>);
  const bucketByPurpose = (purpose: string) => {
    const found = buckets.find(([, b]) => String(b.bucket).includes(`-${purpose}-`));
    if (!found) throw new Error(`synthesized stack has no ${purpose} bucket`);
    return localName(found[1].bucket);
  };
  const machine = single(json, 'aws_sfn_state_machine');
  const definition = JSON.parse(machine.definition);
  return {
    delivery: {
      streamName: localName(stream.name),
      rawBucket: bucketFromRef(json, s3.bucket_arn),
      prefix: s3.prefix,
      errorOutputPrefix: s3.error_output_prefix,
      partitionQuery: query,
      bufferingSizeMiB: s3.buffering_size,
      parquetCompression:
        s3.data_format_conversion_configuration.output_format_configuration.serializer.parquet_ser_de.compression,
      columns: table.storage_descriptor.columns.map((c: Json) => c.name),
    },
    sourceBucket: bucketByPurpose('loggregator-source'),
    outputBucket: bucketByPurpose('loggregator-output'),
    logsBucket: bucketByPurpose('emr-logs'),
    stateMachineName: localName(machine.name),
    jobTimeoutMinutes: definition.States.StartJobRun.Parameters.ExecutionTimeoutMinutes,
  };
}

/**
 * The synthesized Terraform JSON of one stage, built in-process. The Lambda bundles are not
 * built: their settings are enough here, and the checkout may be read-only. The app's folder
 * is removed, also on failure.
 */
export function synthesizeStackJson(config: StageConfig): Json {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-synth-'));
  try {
    const app = Testing.app({ outdir, context: { [BUNDLE_CONTEXT]: false } });
    return JSON.parse(Testing.synth(new ClickloggerStack(app, config)));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes the default `dev` stage (the config users deploy) and reads it. */
export function synthesizeLocalStack(context: Record<string, unknown> = {}): LocalStack {
  return readLocalStack(synthesizeStackJson(stageConfig(ConfigSchema.parse(context), 'dev')));
}
