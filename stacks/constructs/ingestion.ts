import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { LambdaFunctionUrl } from '@cdktf/provider-aws/lib/lambda-function-url';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Actions, allow, externalIdGuard, grant, logGroupArns, serviceRole } from '../iam';
import { NodeFunction } from './node-function';
import type { ClickCatalog } from './catalog';
import { DELIVERY } from './delivery-settings';
import type { CollectorKind } from '../config';
import { COLLECTOR_ORIGINS_VARIABLE } from '../../core/collector';
import { PRIVACY_VARIABLES, type PrivacySettings } from '../../core/privacy';
import { ERASURE } from '../../core/contracts';

/** Where the ingestion function's EMF metrics land: the dashboard reads them from here. */
export const INGEST_METRICS = {
  namespace: 'clicklogger',
  service: 'clicklogger-ingest',
  /** Its value becomes the `stage` dimension of every metric (functions/shared/observability.ts). */
  stageVariable: 'CLICKLOGGER_STAGE',
} as const;

export interface IngestionProps {
  readonly streamName: string;
  readonly functionName: string;
  readonly rawBucket: S3Bucket;
  readonly catalog: ClickCatalog;
  readonly region: string;
  readonly account: string;
  /** Keeps this stage's ingestion metrics apart from other stages' in the same account. */
  readonly stage: string;
  /** Ingestion refuses a createdtime more than this many seconds ahead of receipt. */
  readonly maxClockSkewSeconds: number;
  readonly glueArns: { catalog: string; database: string; table: string };
  readonly logRetentionDays: number;
  readonly kmsKeyArn?: string;
  /** `iam`: a Function URL with AWS_IAM auth. `public`: the HTTP API (collector.ts) calls the function. */
  readonly collector: CollectorKind;
  /** The origins the public collector admits (`*`: every origin); the function refuses the rest. */
  readonly collectorOrigins?: readonly string[];
  /** Reserved (and capped) concurrency of the function; set for the public collector. */
  readonly reservedConcurrency?: number;
  /** What the function keeps of each click's clientip and user. */
  readonly privacy: PrivacySettings;
  /** The SSM parameter that holds the stage's pseudonym key, which the function creates on first use. */
  readonly pseudonymKey: { readonly name: string; readonly arn: string };
  /** The suppression list `clicklogger erase` writes (ERASURE.suppressionList in the output bucket). */
  readonly suppressionList: { readonly bucket: string; readonly bucketArn: string; readonly objectArn: string };
}

/**
 * Firehose (JSON → Parquet via the Glue table, partitioned by event date) and the
 * Lambda that validates clicks and sends them to it.
 */
export class Ingestion extends Construct {
  readonly stream: KinesisFirehoseDeliveryStream;
  readonly ingest: NodeFunction;
  readonly functionUrl?: LambdaFunctionUrl;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const { rawBucket, catalog } = props;

    const logGroup = new CloudwatchLogGroup(this, 'firehose-logs', {
      name: `/aws/kinesisfirehose/${props.streamName}`,
      retentionInDays: props.logRetentionDays,
    });
    const logStream = new CloudwatchLogStream(this, 'firehose-log-stream', {
      name: DELIVERY.logStreamName,
      logGroupName: logGroup.name,
    });

    const role = serviceRole(this, 'firehose-role', {
      name: `${props.streamName}-role`,
      service: 'firehose.amazonaws.com',
      description: `Delivery role of ${props.streamName}`,
      condition: externalIdGuard(props.account),
    });
    const policy = grant(this, 'firehose-policy', role, [
      allow(Actions.firehoseS3, [rawBucket.arn, `${rawBucket.arn}/*`]),
      allow(Actions.glueReadTable, [props.glueArns.catalog, props.glueArns.database, props.glueArns.table]),
      allow(['logs:PutLogEvents'], logGroupArns(logGroup.arn)),
      ...(props.kmsKeyArn ? [allow(Actions.kmsUse, props.kmsKeyArn)] : []),
    ]);

    this.stream = new KinesisFirehoseDeliveryStream(this, 'stream', {
      name: props.streamName,
      destination: 'extended_s3',
      serverSideEncryption: props.kmsKeyArn
        ? { enabled: true, keyType: 'CUSTOMER_MANAGED_CMK', keyArn: props.kmsKeyArn }
        : { enabled: true, keyType: 'AWS_OWNED_CMK' },
      extendedS3Configuration: {
        bucketArn: rawBucket.arn,
        roleArn: role.arn,
        prefix: DELIVERY.prefix,
        errorOutputPrefix: DELIVERY.errorOutputPrefix,
        bufferingSize: DELIVERY.bufferingSizeMiB,
        bufferingInterval: DELIVERY.bufferingIntervalSeconds,
        // Parquet compresses its own pages; Firehose requires UNCOMPRESSED with conversion.
        compressionFormat: 'UNCOMPRESSED',
        kmsKeyArn: props.kmsKeyArn,
        dynamicPartitioningConfiguration: { enabled: true, retryDuration: 300 },
        processingConfiguration: {
          enabled: true,
          processors: [
            // Ingestion packs up to 500 clicks into a record (one JSON object per line), since
            // Firehose bills records rounded up to 5 KB; partitioning must see each click again.
            {
              type: 'RecordDeAggregation',
              parameters: [{ parameterName: 'SubRecordType', parameterValue: DELIVERY.subRecordType }],
            },
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: DELIVERY.partitionQuery },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: DELIVERY.parquetCompression } } },
          schemaConfiguration: {
            databaseName: catalog.database.name,
            tableName: catalog.table.name,
            roleArn: role.arn,
            region: props.region,
            versionId: 'LATEST',
          },
        },
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
      },
      dependsOn: [policy],
    });

    this.ingest = new NodeFunction(this, 'ingest', {
      functionName: props.functionName,
      entry: 'ingest',
      description: 'Validates click events and sends them to Firehose',
      timeoutSeconds: 30,
      memoryMb: 512,
      logRetentionDays: props.logRetentionDays,
      environment: {
        DELIVERY_STREAM_NAME: this.stream.name,
        MAX_CLOCK_SKEW_SECONDS: String(props.maxClockSkewSeconds),
        POWERTOOLS_SERVICE_NAME: INGEST_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: INGEST_METRICS.namespace,
        [INGEST_METRICS.stageVariable]: props.stage,
        ...(props.collector === 'public'
          ? { [COLLECTOR_ORIGINS_VARIABLE]: (props.collectorOrigins ?? []).join(',') }
          : {}),
        [PRIVACY_VARIABLES.clientIp]: props.privacy.clientIp,
        [PRIVACY_VARIABLES.user]: props.privacy.user,
        // The key's name only: the key itself is never in the state or the environment. Every
        // user mode needs it, as suppression compares the pseudonyms of erased people.
        [PRIVACY_VARIABLES.keyParameter]: props.pseudonymKey.name,
        [PRIVACY_VARIABLES.suppressionBucket]: props.suppressionList.bucket,
      },
      reservedConcurrency: props.reservedConcurrency,
      statements: [
        allow(Actions.firehosePut, this.stream.arn),
        allow(Actions.pseudonymKey, props.pseudonymKey.arn),
        // The suppression list only. ListBucket, limited to its key, makes a missing list a
        // NoSuchKey rather than an AccessDenied.
        allow(Actions.s3Read, props.suppressionList.objectArn),
        allow(Actions.s3ListBucket, props.suppressionList.bucketArn, {
          StringEquals: { 's3:prefix': ERASURE.suppressionList },
        }),
        ...(props.kmsKeyArn ? [allow(['kms:Decrypt'], props.kmsKeyArn)] : []),
      ],
    });

    if (props.collector === 'iam') {
      this.functionUrl = new LambdaFunctionUrl(this, 'url', {
        functionName: this.ingest.function.functionName,
        authorizationType: 'AWS_IAM',
        cors: {
          allowMethods: ['POST'],
          allowOrigins: ['*'],
          allowHeaders: ['content-type', 'authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
          maxAge: 300,
        },
      });
    }
  }
}
