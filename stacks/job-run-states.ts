/**
 * The states every job workflow shares: submit the Spark job to EMR Serverless, poll it through
 * the job-status function until it ends, and on any failure after submission cancel it first.
 * The report workflow (state-machine-definition.ts) and the erase workflow (erase-definition.ts)
 * put their own first state before them.
 *
 *   StartJobRun → WaitForJob → GetJobStatus → JobStateChoice ─┬→ <succeeded>
 *                     ↑                                       ├→ JobFailed (the job ended FAILED or CANCELLED)
 *                     └─────────── pending states ────────────┤
 *                                                             └→ unknown state ─┐
 *                 GetJobStatus fails (after its retries) ──────────────────────┴→ CancelJobRun → FailAfterCancel
 */
import { type JobSizing, sparkSizeParameters } from '../core/job-sizing';
import { WORKFLOW_ERRORS } from '../core/contracts';
import { WORKFLOW_CALL_BUDGET } from '../core/time-budget';

/** What the job-run states need: where the job runs, its files, and how long it may take. */
export interface JobRunProps {
  readonly statusFunctionArn: string;
  readonly applicationId: string;
  readonly jobRoleArn: string;
  /** s3:// URI of the PySpark entry point. */
  readonly scriptUri: string;
  /** s3:// URIs of the report's SQL files, shipped to the job with --files. */
  readonly sqlUris: readonly string[];
  /** s3:// URIs of the job's modules, shipped with --py-files. */
  readonly pyFilesUris: readonly string[];
  /** s3:// URI for the job's driver and executor logs. */
  readonly logUri: string;
  readonly jobTimeoutMinutes: number;
  readonly pollSeconds: number;
}

/** What the workflow passes the job: intrinsic-function expressions over the execution's state. */
export interface JobSubmission {
  /** The job run's name (a `Name.$` expression). */
  readonly jobName: string;
  /** The job's arguments (an `EntryPointArguments.$` expression). */
  readonly entryPointArguments: string;
  /** Further `--conf` settings of the job (SparkSubmitParameters tokens). */
  readonly sparkConf?: readonly string[];
  /** The report job's shuffle and executor ceiling (core/job-sizing.ts); the erase job has none. */
  readonly sizing?: JobSizing;
  /** The state that follows a job that ended SUCCESS. */
  readonly succeeded: string;
}

export const STATES = {
  planDates: 'PlanDates',
  startJobRun: 'StartJobRun',
  waitForJob: 'WaitForJob',
  getJobStatus: 'GetJobStatus',
  jobStateChoice: 'JobStateChoice',
  succeeded: 'ReportWritten',
  describeFailure: 'DescribeJobFailure',
  jobFailed: 'JobFailed',
  describeUnknown: 'DescribeUnknownState',
  describeInvalidInput: 'DescribeInvalidInput',
  invalidInput: 'InvalidInput',
  describePlanFailure: 'DescribePlanFailure',
  planFailed: 'PlanFailed',
  describeSubmitFailure: 'DescribeSubmitFailure',
  submitFailed: 'JobSubmitFailed',
  describeStatusFailure: 'DescribeStatusFailure',
  cancelJobRun: 'CancelJobRun',
  noteCancelled: 'NoteJobCancelled',
  describeCancelFailure: 'DescribeCancelFailure',
  noteCancelFailed: 'NoteCancelFailed',
  failAfterCancel: 'FailAfterCancel',
} as const;

/** The nine EMR Serverless job-run states, by how the workflow treats them. */
export const JOB_STATES = {
  success: ['SUCCESS'],
  failure: ['FAILED', 'CANCELLED'],
  pending: ['SUBMITTED', 'PENDING', 'SCHEDULED', 'RUNNING', 'QUEUED', 'CANCELLING'],
} as const;

export const START_JOB_RUN_RESOURCE = 'arn:aws:states:::aws-sdk:emrserverless:startJobRun';
export const CANCEL_JOB_RUN_RESOURCE = 'arn:aws:states:::aws-sdk:emrserverless:cancelJobRun';
export const LAMBDA_INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';

/**
 * What a Lambda task can raise that a retry may fix:
 * - the Lambda service errors the Step Functions guide ("Handle Lambda service exceptions") says to retry;
 * - Lambda.Unknown: the function ran out of time or memory (the guide's name for a function timeout);
 * - States.Timeout: the task's own TimeoutSeconds passed.
 * Both functions only read, so running one twice is safe.
 */
export const LAMBDA_RETRYABLE = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'States.Timeout',
];

/**
 * What the EMR Serverless aws-sdk tasks can raise that a retry may fix. Step Functions names
 * their errors `EmrServerless.<ErrorName>` (developer guide, "Learning to use AWS service SDK
 * integrations"), and calls the service with the AWS SDK for Java v2, so:
 * - InternalServerException is modelled by the service;
 * - errors the model does not list (ThrottlingException among them: botocore lists only
 *   Validation, ResourceNotFound, InternalServer and Conflict for StartJobRun) arrive as the
 *   SDK's service-wide EmrServerlessException, as S3's throttling 503s arrive as
 *   S3.S3Exception (cdklabs/construct-hub#1904);
 * - SdkClientException: the call failed before an answer (a timeout, a dropped connection);
 * - States.Timeout: the task's own TimeoutSeconds.
 * The catch-all also carries permanent unmodelled errors (AccessDenied); retrying them costs a
 * few attempts before the Catch. StartJobRun is safe to retry (its ClientToken), and so is
 * CancelJobRun.
 */
export const EMR_RETRYABLE = [
  'EmrServerless.InternalServerException',
  'EmrServerless.EmrServerlessException',
  'EmrServerless.SdkClientException',
  'States.Timeout',
];

export const retry = (errors: readonly string[], maxAttempts: number) => ({
  ErrorEquals: errors,
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: maxAttempts,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
});
export const catchInto = (resultPath: string, next: string) => [
  { ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next },
];
const anyOf = (states: readonly string[]) => ({
  Or: states.map((state) => ({ Variable: '$.status.state', StringEquals: state })),
});

/**
 * States that turn a caught error (at `from`, as Catch writes it) into `{ error, cause }` at
 * `into`. A caught error need not carry a Cause (States.Timeout may not), and a path to a
 * missing field fails the execution with States.Runtime, so a Choice looks first. `named`
 * puts the caught error's name before its cause.
 */
export function describeCaught(
  name: string,
  options: { error: string; from: string; into: string; next: string; named?: boolean },
) {
  const { error, from, into, next, named } = options;
  const describe = (cause: string) => ({
    Type: 'Pass',
    Parameters: { error, 'cause.$': cause },
    ResultPath: into,
    Next: next,
  });
  return {
    [name]: {
      Type: 'Choice',
      Choices: [{ Variable: `${from}.Cause`, IsPresent: true, Next: `${name}WithCause` }],
      Default: `${name}WithoutCause`,
    },
    [`${name}WithCause`]: describe(named ? `States.Format('{}: {}', ${from}.Error, ${from}.Cause)` : `${from}.Cause`),
    [`${name}WithoutCause`]: describe(`${from}.Error`),
  };
}

/** A Fail state that ends the execution with the error and cause described at `$.failure`. */
export const failWithDescribed = { Type: 'Fail', ErrorPath: '$.failure.error', CausePath: '$.failure.cause' };

/** Seconds the whole execution may take: the job's own limit plus submission and polling slack. */
export function executionTimeoutSeconds(props: Pick<JobRunProps, 'jobTimeoutMinutes' | 'pollSeconds'>): number {
  return props.jobTimeoutMinutes * 60 + 10 * props.pollSeconds + 600;
}

/** Events one poll adds to the history: Wait (2), Lambda task (5), Choice (2). */
export const EVENTS_PER_POLL = 9;
/** Step Functions fails an execution whose history passes 25,000 events; keep a margin. */
export const MAX_POLLS = 2_500;

/** Throws when the polls of one execution could pass the execution history limit. */
export function checkPollBudget(props: Pick<JobRunProps, 'jobTimeoutMinutes' | 'pollSeconds'>): void {
  const polls = Math.ceil(executionTimeoutSeconds(props) / props.pollSeconds);
  if (polls > MAX_POLLS) {
    throw new Error(
      `pollSeconds ${props.pollSeconds} is too short for jobTimeoutMinutes ${props.jobTimeoutMinutes}: ` +
        `${polls} polls would pass the 25,000-event execution history limit (at most ${MAX_POLLS})`,
    );
  }
}

/** StartJobRun and every state after it: the job's submission, its polls, and its failure paths. */
export function jobRunStates(props: JobRunProps & JobSubmission): Record<string, unknown> {
  const job = { 'ApplicationId.$': '$.job.applicationId', 'JobRunId.$': '$.job.jobRunId' };
  return {
    [STATES.startJobRun]: {
      Type: 'Task',
      Resource: START_JOB_RUN_RESOURCE,
      Parameters: {
        ApplicationId: props.applicationId,
        // Same execution, same token: a retried StartJobRun cannot start a second job.
        'ClientToken.$': "States.Hash($$.Execution.Id, 'MD5')",
        ExecutionRoleArn: props.jobRoleArn,
        'Name.$': props.jobName,
        ExecutionTimeoutMinutes: props.jobTimeoutMinutes,
        JobDriver: {
          SparkSubmit: {
            EntryPoint: props.scriptUri,
            'EntryPointArguments.$': props.entryPointArguments,
            // The job reads its partition by path: an in-memory catalog keeps Spark off EMR's
            // default metastore, the Glue Data Catalog, which the job role may not read.
            SparkSubmitParameters: [
              `--files ${props.sqlUris.join(',')}`,
              `--py-files ${props.pyFilesUris.join(',')}`,
              '--conf spark.sql.catalogImplementation=in-memory',
              ...sparkSizeParameters(props.sizing),
              ...(props.sparkConf ?? []),
            ].join(' '),
          },
        },
        ConfigurationOverrides: {
          MonitoringConfiguration: { S3MonitoringConfiguration: { LogUri: props.logUri } },
        },
      },
      ResultSelector: { 'applicationId.$': '$.ApplicationId', 'jobRunId.$': '$.JobRunId' },
      ResultPath: '$.job',
      TimeoutSeconds: 60,
      Retry: [retry(EMR_RETRYABLE, 4)],
      Catch: catchInto('$.error', STATES.describeSubmitFailure),
      Next: STATES.waitForJob,
    },
    [STATES.waitForJob]: { Type: 'Wait', Seconds: props.pollSeconds, Next: STATES.getJobStatus },
    [STATES.getJobStatus]: {
      Type: 'Task',
      Comment: 'One GetJobRun per call; the Wait state does the waiting',
      Resource: LAMBDA_INVOKE_RESOURCE,
      Parameters: {
        FunctionName: props.statusFunctionArn,
        Payload: { 'jobRunId.$': '$.job.jobRunId', 'applicationId.$': '$.job.applicationId' },
      },
      ResultSelector: { 'state.$': '$.Payload.state', 'stateDetails.$': '$.Payload.stateDetails' },
      ResultPath: '$.status',
      TimeoutSeconds: WORKFLOW_CALL_BUDGET.taskTimeoutSeconds,
      Retry: [retry([...LAMBDA_RETRYABLE, WORKFLOW_ERRORS.statusUnavailable], 5)],
      Catch: catchInto('$.error', STATES.describeStatusFailure),
      Next: STATES.jobStateChoice,
    },
    [STATES.jobStateChoice]: {
      Type: 'Choice',
      Choices: [
        { ...anyOf(JOB_STATES.success), Next: props.succeeded },
        { ...anyOf(JOB_STATES.failure), Next: STATES.describeFailure },
        { ...anyOf(JOB_STATES.pending), Next: STATES.waitForJob },
      ],
      Default: STATES.describeUnknown,
    },
    // The job has ended: nothing to cancel.
    [STATES.describeFailure]: {
      Type: 'Pass',
      Parameters: {
        error: WORKFLOW_ERRORS.jobFailed,
        'cause.$': "States.Format('Job run {} ended {}: {}', $.job.jobRunId, $.status.state, $.status.stateDetails)",
      },
      ResultPath: '$.failure',
      Next: STATES.jobFailed,
    },
    [STATES.jobFailed]: failWithDescribed,
    ...describeCaught(STATES.describeSubmitFailure, {
      error: WORKFLOW_ERRORS.submitFailed,
      from: '$.error',
      into: '$.failure',
      next: STATES.submitFailed,
    }),
    [STATES.submitFailed]: failWithDescribed,
    // After submission: the job may still run, so every path cancels it before failing.
    [STATES.describeUnknown]: {
      Type: 'Pass',
      Parameters: {
        error: WORKFLOW_ERRORS.unknownState,
        'cause.$': "States.Format('Job run {} reported unexpected state {}', $.job.jobRunId, $.status.state)",
      },
      ResultPath: '$.failure',
      Next: STATES.cancelJobRun,
    },
    ...describeCaught(STATES.describeStatusFailure, {
      error: WORKFLOW_ERRORS.statusFailed,
      from: '$.error',
      into: '$.failure',
      next: STATES.cancelJobRun,
    }),
    [STATES.cancelJobRun]: {
      Type: 'Task',
      Comment: 'Stops the job that this execution started, so it does not run on and bill',
      Resource: CANCEL_JOB_RUN_RESOURCE,
      Parameters: job,
      ResultPath: null,
      TimeoutSeconds: 60,
      Retry: [retry(EMR_RETRYABLE, 4)],
      Catch: catchInto('$.cancelError', STATES.describeCancelFailure),
      Next: STATES.noteCancelled,
    },
    [STATES.noteCancelled]: {
      Type: 'Pass',
      Parameters: {
        'error.$': '$.failure.error',
        'cause.$': "States.Format('{} (job run {} cancelled)', $.failure.cause, $.job.jobRunId)",
      },
      ResultPath: '$.failure',
      Next: STATES.failAfterCancel,
    },
    ...describeCaught(STATES.describeCancelFailure, {
      error: 'CancelFailed',
      from: '$.cancelError',
      into: '$.cancelFailure',
      next: STATES.noteCancelFailed,
      named: true,
    }),
    [STATES.noteCancelFailed]: {
      Type: 'Pass',
      Parameters: {
        'error.$': '$.failure.error',
        'cause.$':
          "States.Format('{} (cancelling job run {} failed: {})', $.failure.cause, $.job.jobRunId, $.cancelFailure.cause)",
      },
      ResultPath: '$.failure',
      Next: STATES.failAfterCancel,
    },
    [STATES.failAfterCancel]: failWithDescribed,
  };
}
