/**
 * The names that several layers share: the stack writes them into AWS, the functions, the local
 * runtime and the report engine read them, and the Spark job (spark/report_job.py) keeps a copy
 * that a contract test holds to this one. Change them here, and only here.
 */
import { createHash } from 'node:crypto';

/** Key prefix of the raw clicks in the raw bucket: the Glue table's location. */
export const RAW_PREFIX = 'clicklog';

/** Hive partition key of the raw table: the event date (UTC) of createdtime. */
export const PARTITION_KEY = { name: 'data', comment: 'Event date (UTC) of createdtime, YYYY-MM-DD' } as const;

/** `clicklog/data=2023-02-08/`: where Firehose writes the clicks of one event date. */
export function partitionPrefix(date: string): string {
  return `${RAW_PREFIX}/${PARTITION_KEY.name}=${date}/`;
}

/** The purpose part of each bucket name (`<region>-<prefix>-<stage>-<purpose>-<account>`), in the seed's words. */
export const BUCKET_PURPOSES = {
  raw: 'firehose-delivery',
  source: 'loggregator-source',
  output: 'loggregator-output',
  logs: 'emr-logs',
  studio: 'emr-studio',
} as const;

/** The Spark job's files; the stack uploads each to `s3://<source bucket>/spark/<file>`. */
export const SPARK_FILES = {
  script: 'report_job.py',
  renderers: 'report_render.py',
  page: 'report_page.py',
  visits: 'report_visits.py',
  eraser: 'report_erase.py',
} as const;
/** The report's SQL, shipped to the job with --files (report/sql.ts says what each holds). */
export const REPORT_SQL_FILES = {
  dayClicks: 'day_clicks.sql',
  counts: 'report.sql',
  visits: 'visits.sql',
  visitPaths: 'visit_paths.sql',
  funnels: 'funnels.sql',
} as const;
/** Every file the stack uploads for the jobs. */
export const JOB_FILES: readonly string[] = [...Object.values(SPARK_FILES), ...Object.values(REPORT_SQL_FILES)];
export const sparkObjectKey = (file: string) => `spark/${file}`;
/** The URI of a job file in a named source bucket. */
export const sparkObjectUri = (bucket: string, file: string) => `s3://${bucket}/${sparkObjectKey(file)}`;

/** Where the report job's logs go in the logs bucket (the job run's S3 monitoring LogUri). */
export const JOB_LOG_PREFIX = 'jobs/';

/**
 * The key of a job run's driver log under JOB_LOG_PREFIX: EMR Serverless writes
 * `<logUri>/applications/<application-id>/jobs/<job-run-id>/SPARK_DRIVER/stdout.gz` and
 * `stderr.gz`, refreshed every 15 seconds (EMR Serverless guide, "Storing logs").
 */
export function driverLogKey(applicationId: string, jobRunId: string, stream: 'stdout' | 'stderr'): string {
  return `${JOB_LOG_PREFIX}applications/${applicationId}/jobs/${jobRunId}/SPARK_DRIVER/${stream}.gz`;
}

/**
 * `clicklogger erase`'s files in the output bucket:
 * - the erase mode's first job argument (spark/report_erase.py);
 * - the suppression list: the pseudonyms whose clicks ingestion drops;
 * - the days an erase changed and has not yet reported again;
 * - the erasure log, one object per erasure (S3 has no append).
 */
export const ERASURE = {
  mode: 'erase',
  suppressionList: 'suppressed.json',
  pending: 'erasure.pending.json',
  logPrefix: 'erasure-log/',
  /** The erase mode's stand-in for an open end of the date range. */
  noDate: '-',
} as const;

/** The files a report run writes for each day, under `YYYY/MM/DD/` of the output bucket. */
export const REPORT_FILES = { markdown: 'response.md', json: 'report.json', html: 'report.html' } as const;

/**
 * Error names of the report workflow. Step Functions matches a function's errors by name
 * (ErrorEquals), and the Fail states end an execution with these: they are its contract.
 */
export const WORKFLOW_ERRORS = {
  /** plan-dates: the dates asked for (InputDate, InputDates, From/To, ScheduledTime) are not usable. */
  invalidInputDate: 'InvalidInputDate',
  /** plan-dates: listing the partitions or reading the reports failed in a way worth retrying. */
  listingUnavailable: 'PartitionListingUnavailable',
  /** job-status: no job run id in the input. */
  missingJobRunId: 'MissingJobRunId',
  /** job-status: GetJobRun does not know the run. */
  jobRunNotFound: 'JobRunNotFound',
  /** job-status: GetJobRun failed in a way worth retrying; the workflow retries it. */
  statusUnavailable: 'JobStatusUnavailable',
  /** Fail states. */
  invalidInput: 'InvalidInput',
  planFailed: 'PlanFailed',
  submitFailed: 'JobSubmitFailed',
  statusFailed: 'StatusCheckFailed',
  jobFailed: 'JobFailed',
  unknownState: 'UnknownJobState',
} as const;

/** Names of the stack's outputs: the CLI finds a deployed stack's resources by them. */
export const STACK_OUTPUT_NAMES = {
  region: 'region',
  rawBucket: 'raw_bucket',
  sourceBucket: 'source_bucket',
  outputBucket: 'output_bucket',
  logsBucket: 'logs_bucket',
  deliveryStream: 'delivery_stream_name',
  ingestFunction: 'ingest_function_name',
  statusFunction: 'job_status_function_name',
  stateMachineArn: 'state_machine_arn',
  eraseStateMachineArn: 'erase_state_machine_arn',
  pseudonymKeyParameter: 'pseudonym_key_parameter',
  userMode: 'user_mode',
  applicationId: 'emr_application_id',
  glueDatabase: 'glue_database',
  glueTable: 'glue_table',
  functionUrl: 'ingest_function_url',
  collectorUrl: 'collector_url',
  studioUrl: 'studio_url',
  alertTopic: 'alert_topic_arn',
  dashboard: 'dashboard_name',
} as const;

/**
 * The digest of a partition's data file names (sorted, one per line, SHA-256): report.json keeps
 * the digest of what the job read, and a later run that lists a different set knows that clicks
 * came since. spark/report_job.py computes the same (`input_digest`).
 */
export function inputDigest(names: Iterable<string>): string {
  return createHash('sha256')
    .update([...names].sort().join('\n'))
    .digest('hex');
}

/** Data files of a partition, as Hadoop sees them: names starting with `_` or `.` are not data. */
export function isDataFile(name: string): boolean {
  return !name.startsWith('_') && !name.startsWith('.');
}
