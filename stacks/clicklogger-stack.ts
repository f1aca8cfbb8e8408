import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import type { StageConfig } from './config';
import { INGEST_METRICS } from './constructs/ingestion';
import { Naming, stackName } from './naming';
import { SecureBucket } from './constructs/secure-bucket';
import { ClickCatalog } from './constructs/catalog';
import { Ingestion } from './constructs/ingestion';
import { Analytics } from './constructs/analytics';
import { Orchestration } from './constructs/orchestration';
import { Studio } from './constructs/studio';
import { Operations } from './constructs/operations';
import { DELIVERY } from './constructs/delivery-settings';

/** Names of the stack outputs; the CLI reads these, so they are part of the contract. */
export const OUTPUTS = {
  region: 'region',
  rawBucket: 'raw_bucket',
  sourceBucket: 'source_bucket',
  outputBucket: 'output_bucket',
  logsBucket: 'logs_bucket',
  deliveryStream: 'delivery_stream_name',
  ingestFunction: 'ingest_function_name',
  statusFunction: 'job_status_function_name',
  stateMachineArn: 'state_machine_arn',
  applicationId: 'emr_application_id',
  glueDatabase: 'glue_database',
  glueTable: 'glue_table',
  functionUrl: 'ingest_function_url',
  studioUrl: 'studio_url',
  alertTopic: 'alert_topic_arn',
  dashboard: 'dashboard_name',
} as const;

/** One stage of the click-stream pipeline: `clicklogger-<stage>`. */
export class ClickloggerStack extends TerraformStack {
  readonly config: StageConfig;

  constructor(scope: Construct, config: StageConfig) {
    super(scope, stackName(config.appPrefix, config.stage));
    this.config = config;

    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { app: config.appPrefix, stage: config.stage, 'managed-by': 'cdktf' } }],
    });
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    const names = new Naming(config.appPrefix, config.stage, config.region, account);

    const bucket = (id: string, purpose: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[2]> = {}) =>
      new SecureBucket(this, id, {
        bucketName: names.bucket(purpose),
        forceDestroy: config.forceDestroy,
        kmsKeyArn: config.kmsKeyArn,
        ...extra,
      }).bucket;
    const raw = bucket('raw', 'firehose-delivery');
    const source = bucket('source', 'loggregator-source', { versioned: true });
    const output = bucket('output', 'loggregator-output', { versioned: true });
    const logs = bucket('emr-logs', 'emr-logs', { expireAfterDays: config.logBucketExpiryDays });

    const catalog = new ClickCatalog(this, 'catalog', {
      databaseName: names.glue('db'),
      tableName: 'clicklog',
      rawBucketName: raw.bucket,
    });
    const arnPrefix = `arn:${partition}:glue:${config.region}:${account}`;
    const glueArns = {
      catalog: `${arnPrefix}:catalog`,
      database: `${arnPrefix}:database/${catalog.database.name}`,
      table: `${arnPrefix}:table/${catalog.database.name}/${catalog.table.name}`,
    };

    const ingestion = new Ingestion(this, 'ingestion', {
      streamName: names.resource('firehose-delivery-stream'),
      functionName: names.resource('ingestion-lambda'),
      rawBucket: raw,
      catalog,
      region: config.region,
      glueArns,
      logRetentionDays: config.logRetentionDays,
      kmsKeyArn: config.kmsKeyArn,
      functionUrl: config.functionUrl,
    });

    const analytics = new Analytics(this, 'analytics', {
      // The seed's name, typo included, so its `aws emr-serverless list-applications` filter still works.
      applicationName: `${names.resource('loggregrator-emr')}-${account}`,
      jobRoleName: names.resource('emr-job-role'),
      releaseLabel: config.emr.releaseLabel,
      maxCpu: config.emr.maxCpu,
      maxMemory: config.emr.maxMemory,
      idleTimeoutMinutes: config.emr.idleTimeoutMinutes,
      preInitializedWorkers: config.emr.preInitializedWorkers,
      sourceBucket: source,
      rawBucket: raw,
      outputBucket: output,
      logsBucket: logs,
      glueArns,
      kmsKeyArn: config.kmsKeyArn,
      studioEnabled: config.studio,
    });

    const orchestration = new Orchestration(this, 'orchestration', {
      stateMachineName: names.resource('state-machine'),
      statusFunctionName: names.resource('job-status-lambda'),
      resolveDateFunctionName: names.resource('resolve-date-lambda'),
      applicationId: analytics.application.id,
      applicationArn: analytics.application.arn,
      jobRoleArn: analytics.jobRole.arn,
      scriptUri: analytics.scriptUri,
      sqlUri: analytics.sqlUri,
      rawBucket: raw.bucket,
      outputBucket: output.bucket,
      logUri: `s3://${logs.bucket}/jobs/`,
      jobTimeoutMinutes: config.emr.jobTimeoutMinutes,
      pollSeconds: config.pollSeconds,
      account,
      logRetentionDays: config.logRetentionDays,
    });

    const operations = new Operations(this, 'operations', {
      namePrefix: names.resource('report'),
      region: config.region,
      stateMachineArn: orchestration.stateMachine.arn,
      ingestFunctionName: ingestion.ingest.function.functionName,
      deliveryStreamName: ingestion.stream.name,
      metricsNamespace: INGEST_METRICS.namespace,
      ingestServiceName: INGEST_METRICS.service,
      bufferingIntervalSeconds: DELIVERY.bufferingIntervalSeconds,
      schedule: config.schedule ? { expression: config.scheduleExpression } : undefined,
      alerts: config.alerts ? { email: config.alertEmail } : undefined,
      dashboard: config.dashboard,
    });

    const output_ = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description });
    output_(OUTPUTS.region, config.region, 'AWS region of the stack');
    output_(OUTPUTS.rawBucket, raw.bucket, 'Raw clicks (Parquet) from Firehose');
    output_(OUTPUTS.sourceBucket, source.bucket, 'Spark job script and SQL');
    output_(OUTPUTS.outputBucket, output.bucket, 'Daily reports: YYYY/MM/DD/response.md');
    output_(OUTPUTS.logsBucket, logs.bucket, 'EMR Serverless job logs');
    output_(OUTPUTS.deliveryStream, ingestion.stream.name, 'Firehose delivery stream');
    output_(OUTPUTS.ingestFunction, ingestion.ingest.function.functionName, 'Ingestion Lambda');
    output_(OUTPUTS.statusFunction, orchestration.status.function.functionName, 'Job-status Lambda');
    output_(OUTPUTS.stateMachineArn, orchestration.stateMachine.arn, 'Report state machine');
    output_(OUTPUTS.applicationId, analytics.application.id, 'EMR Serverless application id');
    output_(OUTPUTS.glueDatabase, catalog.database.name, 'Glue database');
    output_(OUTPUTS.glueTable, catalog.table.name, 'Glue table of raw clicks');
    if (operations.topic) output_(OUTPUTS.alertTopic, operations.topic.arn, 'SNS topic that receives the alarms');
    if (operations.dashboard) output_(OUTPUTS.dashboard, operations.dashboard.dashboardName, 'CloudWatch dashboard');
    if (ingestion.functionUrl)
      output_(OUTPUTS.functionUrl, ingestion.functionUrl.functionUrl, 'Ingestion Function URL (AWS_IAM)');

    if (config.studio) {
      const studioBucket = new SecureBucket(this, 'studio-bucket', {
        bucketName: names.bucket('emr-studio'),
        forceDestroy: config.forceDestroy,
        kmsKeyArn: config.kmsKeyArn,
      });
      const studio = new Studio(this, 'studio', {
        studioName: names.resource('studio'),
        region: config.region,
        account,
        bucket: studioBucket,
      });
      output_(OUTPUTS.studioUrl, studio.studio.url, 'EMR Studio URL');
    }
  }
}
