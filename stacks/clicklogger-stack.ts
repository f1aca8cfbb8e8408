import { jobSizing, parseCapacity } from '../core/job-sizing';
import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { collectorAllowList, type StageConfig } from './config';
import { Collector } from './constructs/collector';
import { INGEST_METRICS } from './constructs/ingestion';
import { type ArnScope, arnOf, DELIVERY_STREAM_PURPOSE, Naming, stackName } from './naming';
import { SecureBucket } from './constructs/secure-bucket';
import { ClickCatalog } from './constructs/catalog';
import { Ingestion } from './constructs/ingestion';
import { Analytics } from './constructs/analytics';
import { Erasure } from './constructs/erasure';
import { Orchestration } from './constructs/orchestration';
import { Studio } from './constructs/studio';
import { Alarms } from './constructs/alarms';
import { Dashboard } from './constructs/dashboard';
import { ReportSchedule } from './constructs/report-schedule';
import { DELIVERY } from './constructs/delivery-settings';
import { BUCKET_PURPOSES, ERASURE, JOB_LOG_PREFIX, STACK_OUTPUT_NAMES } from '../core/contracts';

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
    const arnScope: ArnScope = { partition, region: config.region, account };

    const bucket = (id: string, purpose: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[2]> = {}) =>
      new SecureBucket(this, id, {
        bucketName: names.bucket(purpose),
        forceDestroy: config.forceDestroy,
        kmsKeyArn: config.kmsKeyArn,
        ...extra,
      }).bucket;
    // Raw clicks hold personal data (pseudonymous, but personal): they, and the error prefix, expire.
    const raw = bucket('raw', BUCKET_PURPOSES.raw, { expireAfterDays: config.rawRetentionDays });
    const source = bucket('source', BUCKET_PURPOSES.source, { versioned: true });
    const output = bucket('output', BUCKET_PURPOSES.output, { versioned: true });
    const logs = bucket('emr-logs', BUCKET_PURPOSES.logs, { expireAfterDays: config.logBucketExpiryDays });

    const catalog = new ClickCatalog(this, 'catalog', {
      databaseName: names.glue('db'),
      tableName: 'clicklog',
      rawBucketName: raw.bucket,
      firstEventDate: config.firstEventDate,
    });
    const glueArns = {
      catalog: arnOf(arnScope, 'glue', 'catalog'),
      database: arnOf(arnScope, 'glue', `database/${catalog.database.name}`),
      table: arnOf(arnScope, 'glue', `table/${catalog.database.name}/${catalog.table.name}`),
    };

    const publicCollector = config.collector === 'public';
    const ingestion = new Ingestion(this, 'ingestion', {
      streamName: names.resource(DELIVERY_STREAM_PURPOSE),
      functionName: names.resource('ingestion-lambda'),
      rawBucket: raw,
      catalog,
      region: config.region,
      account,
      glueArns,
      logRetentionDays: config.logRetentionDays,
      kmsKeyArn: config.kmsKeyArn,
      collector: config.collector,
      collectorOrigins: publicCollector ? collectorAllowList(config) : undefined,
      reservedConcurrency: publicCollector ? config.collectorConcurrency : undefined,
      stage: config.stage,
      maxClockSkewSeconds: config.maxClockSkewSeconds,
      privacy: { clientIp: config.clientIp, user: config.user },
      pseudonymKey: {
        name: names.pseudonymKeyParameter(),
        arn: arnOf(arnScope, 'ssm', `parameter${names.pseudonymKeyParameter()}`),
      },
      suppressionList: {
        bucket: output.bucket,
        bucketArn: output.arn,
        objectArn: `${output.arn}/${ERASURE.suppressionList}`,
      },
    });

    const collector = publicCollector
      ? new Collector(this, 'collector', {
          apiName: names.resource('collector'),
          ingest: ingestion.ingest.function,
          allowOrigins: collectorAllowList(config),
          rateLimit: config.collectorRateLimit,
          burstLimit: config.collectorBurstLimit,
          logRetentionDays: config.logRetentionDays,
          metricsNamespace: INGEST_METRICS.namespace,
        })
      : undefined;

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
      account,
      kmsKeyArn: config.kmsKeyArn,
      studioEnabled: config.studio,
    });

    const orchestration = new Orchestration(this, 'orchestration', {
      stateMachineName: names.resource('state-machine'),
      statusFunctionName: names.resource('job-status-lambda'),
      planDatesFunctionName: names.resource('plan-dates-lambda'),
      lateDays: config.lateDays,
      rawBucketArn: raw.arn,
      outputBucketArn: output.arn,
      kmsKeyArn: config.kmsKeyArn,
      applicationId: analytics.application.id,
      applicationArn: analytics.application.arn,
      jobRoleArn: analytics.jobRole.arn,
      scriptUri: analytics.scriptUri,
      sqlUris: analytics.sqlUris,
      renderersUri: analytics.renderersUri,
      visitsUri: analytics.visitsUri,
      pageUri: analytics.pageUri,
      funnels: config.funnels,
      rowsPerCaller: config.reportRowsPerCaller,
      sizing: jobSizing(
        config.emr.clicksPerDay,
        config.lateDays,
        parseCapacity(config.emr.maxCpu, config.emr.maxMemory),
      ),
      rawBucket: raw.bucket,
      outputBucket: output.bucket,
      logUri: `s3://${logs.bucket}/${JOB_LOG_PREFIX}`,
      jobTimeoutMinutes: config.emr.jobTimeoutMinutes,
      pollSeconds: config.pollSeconds,
      arnScope,
      logRetentionDays: config.logRetentionDays,
    });

    const erasure = new Erasure(this, 'erasure', {
      stateMachineName: names.resource('erase-state-machine'),
      jobRoleName: names.resource('emr-erase-job-role'),
      applicationId: analytics.application.id,
      applicationArn: analytics.application.arn,
      statusFunctionArn: orchestration.status.function.arn,
      scriptUri: analytics.scriptUri,
      sqlUris: analytics.sqlUris,
      renderersUri: analytics.renderersUri,
      eraserUri: analytics.eraserUri,
      sourceBucket: source,
      rawBucket: raw,
      outputBucket: output,
      logsBucket: logs,
      kmsKeyArn: config.kmsKeyArn,
      logUri: `s3://${logs.bucket}/${JOB_LOG_PREFIX}`,
      jobTimeoutMinutes: config.emr.jobTimeoutMinutes,
      pollSeconds: config.pollSeconds,
      arnScope,
      logRetentionDays: config.logRetentionDays,
    });

    const monitored = {
      namePrefix: names.resource('report'),
      stateMachineArn: orchestration.stateMachine.arn,
      ingestFunctionName: ingestion.ingest.function.functionName,
      deliveryStreamName: ingestion.stream.name,
    };
    if (config.schedule) {
      new ReportSchedule(this, 'schedule', {
        namePrefix: monitored.namePrefix,
        stateMachineArn: monitored.stateMachineArn,
        expression: config.scheduleExpression,
        arnScope,
      });
    }
    const alarms = config.alerts
      ? new Alarms(this, 'alarms', {
          ...monitored,
          bufferingIntervalSeconds: DELIVERY.bufferingIntervalSeconds,
          email: config.alertEmail,
          collector: collector && { apiId: collector.api.id, throttled: collector.throttledMetric },
        })
      : undefined;
    const dashboard = config.dashboard
      ? new Dashboard(this, 'dashboard', {
          ...monitored,
          region: config.region,
          metricsNamespace: INGEST_METRICS.namespace,
          ingestServiceName: INGEST_METRICS.service,
          stage: config.stage,
        })
      : undefined;

    const output_ = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description });
    output_(STACK_OUTPUT_NAMES.region, config.region, 'AWS region of the stack');
    output_(STACK_OUTPUT_NAMES.rawBucket, raw.bucket, 'Raw clicks (Parquet) from Firehose');
    output_(STACK_OUTPUT_NAMES.sourceBucket, source.bucket, 'Spark job script and SQL');
    output_(STACK_OUTPUT_NAMES.outputBucket, output.bucket, 'Daily reports: YYYY/MM/DD/response.md');
    output_(STACK_OUTPUT_NAMES.logsBucket, logs.bucket, 'EMR Serverless job logs');
    output_(STACK_OUTPUT_NAMES.deliveryStream, ingestion.stream.name, 'Firehose delivery stream');
    output_(STACK_OUTPUT_NAMES.ingestFunction, ingestion.ingest.function.functionName, 'Ingestion Lambda');
    output_(STACK_OUTPUT_NAMES.statusFunction, orchestration.status.function.functionName, 'Job-status Lambda');
    output_(STACK_OUTPUT_NAMES.stateMachineArn, orchestration.stateMachine.arn, 'Report state machine');
    output_(
      STACK_OUTPUT_NAMES.eraseStateMachineArn,
      erasure.stateMachine.arn,
      'Erase state machine (clicklogger erase)',
    );
    output_(
      STACK_OUTPUT_NAMES.pseudonymKeyParameter,
      names.pseudonymKeyParameter(),
      'SSM parameter of the pseudonym key',
    );
    output_(STACK_OUTPUT_NAMES.userMode, config.user, 'What ingestion stores of a user: pseudonymize, keep or drop');
    output_(STACK_OUTPUT_NAMES.applicationId, analytics.application.id, 'EMR Serverless application id');
    output_(STACK_OUTPUT_NAMES.glueDatabase, catalog.database.name, 'Glue database');
    output_(STACK_OUTPUT_NAMES.glueTable, catalog.table.name, 'Glue table of raw clicks');
    if (alarms) output_(STACK_OUTPUT_NAMES.alertTopic, alarms.topic.arn, 'SNS topic that receives the alarms');
    if (dashboard) output_(STACK_OUTPUT_NAMES.dashboard, dashboard.dashboard.dashboardName, 'CloudWatch dashboard');
    if (collector) output_(STACK_OUTPUT_NAMES.collectorUrl, collector.url, 'Public click collector: POST clicks here');
    if (ingestion.functionUrl)
      output_(STACK_OUTPUT_NAMES.functionUrl, ingestion.functionUrl.functionUrl, 'Ingestion Function URL (AWS_IAM)');

    if (config.studio) {
      const studioBucket = new SecureBucket(this, 'studio-bucket', {
        bucketName: names.bucket(BUCKET_PURPOSES.studio),
        forceDestroy: config.forceDestroy,
        kmsKeyArn: config.kmsKeyArn,
      });
      const studio = new Studio(this, 'studio', {
        studioName: names.resource('studio'),
        arnScope,
        bucket: studioBucket,
      });
      output_(STACK_OUTPUT_NAMES.studioUrl, studio.studio.url, 'EMR Studio URL');
    }
  }
}
