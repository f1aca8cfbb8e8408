/**
 * The report workflow's Amazon States Language definition: the one source of truth.
 * The stack passes Terraform references; the local runner passes local names.
 *
 *   ResolveDate → StartJobRun → WaitForJob → GetJobStatus → JobStateChoice ─┬→ ReportWritten
 *                                   ↑                                      ├→ JobFailed / UnknownJobState
 *                                   └──────────── pending states ──────────┘
 */
import { WORKFLOW_ERRORS } from '../functions/shared/contracts';

export interface ReportWorkflowProps {
  readonly resolveDateFunctionArn: string;
  readonly statusFunctionArn: string;
  readonly applicationId: string;
  readonly jobRoleArn: string;
  /** s3:// URI of the PySpark entry point. */
  readonly scriptUri: string;
  /** s3:// URI of report.sql, shipped to the job with --files. */
  readonly sqlUri: string;
  readonly rawBucket: string;
  readonly outputBucket: string;
  /** s3:// URI for the job's driver and executor logs. */
  readonly logUri: string;
  readonly jobTimeoutMinutes: number;
  readonly pollSeconds: number;
}

export const STATES = {
  resolveDate: 'ResolveDate',
  startJobRun: 'StartJobRun',
  waitForJob: 'WaitForJob',
  getJobStatus: 'GetJobStatus',
  jobStateChoice: 'JobStateChoice',
  succeeded: 'ReportWritten',
  describeFailure: 'DescribeJobFailure',
  jobFailed: 'JobFailed',
  describeUnknown: 'DescribeUnknownState',
  unknownState: 'UnknownJobState',
  invalidInput: 'InvalidInput',
  submitFailed: 'JobSubmitFailed',
  statusFailed: 'StatusCheckFailed',
} as const;

/** The nine EMR Serverless job-run states, by how the workflow treats them. */
export const JOB_STATES = {
  success: ['SUCCESS'],
  failure: ['FAILED', 'CANCELLED'],
  pending: ['SUBMITTED', 'PENDING', 'SCHEDULED', 'RUNNING', 'QUEUED', 'CANCELLING'],
} as const;

export const START_JOB_RUN_RESOURCE = 'arn:aws:states:::aws-sdk:emrserverless:startJobRun';
export const LAMBDA_INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';

/** Transient Lambda service errors worth retrying. */
// The Lambda service errors the Step Functions guide ("Handle Lambda service exceptions") says to retry.
const LAMBDA_TRANSIENT = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
/**
 * Transient errors of the emrserverless:startJobRun SDK integration. Step Functions names them
 * `<ServiceName>.<ErrorName>`, both in PascalCase, with an Exception suffix ("Learning to use AWS
 * service SDK integrations", Step Functions developer guide). InternalServerException is in the
 * EMR Serverless model; ThrottlingException is the common AWS throttling error it returns without
 * modelling it. States.Timeout is the task's own TimeoutSeconds: a retry is safe, since the
 * ClientToken makes StartJobRun idempotent.
 */
const EMR_TRANSIENT = ['EmrServerless.InternalServerException', 'EmrServerless.ThrottlingException', 'States.Timeout'];

const retry = (errors: string[], maxAttempts: number) => ({
  ErrorEquals: errors,
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: maxAttempts,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
});
const catchAll = (next: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: next }];
const failWithCaughtError = (error: string) => ({ Type: 'Fail', Error: error, CausePath: '$.error.Cause' });
const anyOf = (states: readonly string[]) => ({
  Or: states.map((state) => ({ Variable: '$.status.state', StringEquals: state })),
});

/** Seconds the whole execution may take: the job's own limit plus submission and polling slack. */
export function executionTimeoutSeconds(props: Pick<ReportWorkflowProps, 'jobTimeoutMinutes' | 'pollSeconds'>): number {
  return props.jobTimeoutMinutes * 60 + 10 * props.pollSeconds + 600;
}

/** Events one poll adds to the history: Wait (2), Lambda task (5), Choice (2). */
export const EVENTS_PER_POLL = 9;
/** Step Functions fails an execution whose history passes 25,000 events; keep a margin. */
export const MAX_POLLS = 2_500;

export function reportWorkflowDefinition(props: ReportWorkflowProps): Record<string, unknown> {
  const polls = Math.ceil(executionTimeoutSeconds(props) / props.pollSeconds);
  if (polls > MAX_POLLS) {
    throw new Error(
      `pollSeconds ${props.pollSeconds} is too short for jobTimeoutMinutes ${props.jobTimeoutMinutes}: ` +
        `${polls} polls would pass the 25,000-event execution history limit (at most ${MAX_POLLS})`,
    );
  }
  return {
    Comment: 'clicklogger daily report: submit the Spark job to EMR Serverless and poll it to completion',
    StartAt: STATES.resolveDate,
    TimeoutSeconds: executionTimeoutSeconds(props),
    States: {
      [STATES.resolveDate]: {
        Type: 'Task',
        Comment: 'Validates InputDate (no glob characters reach S3 paths); defaults to yesterday (UTC)',
        Resource: LAMBDA_INVOKE_RESOURCE,
        Parameters: { FunctionName: props.resolveDateFunctionArn, 'Payload.$': '$' },
        ResultSelector: { 'InputDate.$': '$.Payload.InputDate' },
        ResultPath: '$',
        TimeoutSeconds: 30,
        Retry: [retry(LAMBDA_TRANSIENT, 3)],
        Catch: catchAll(STATES.invalidInput),
        Next: STATES.startJobRun,
      },
      [STATES.startJobRun]: {
        Type: 'Task',
        Resource: START_JOB_RUN_RESOURCE,
        Parameters: {
          ApplicationId: props.applicationId,
          // Same execution, same token: a retried StartJobRun cannot start a second job.
          'ClientToken.$': "States.Hash($$.Execution.Id, 'MD5')",
          ExecutionRoleArn: props.jobRoleArn,
          'Name.$': "States.Format('clicklogger-report-{}', $.InputDate)",
          ExecutionTimeoutMinutes: props.jobTimeoutMinutes,
          JobDriver: {
            SparkSubmit: {
              EntryPoint: props.scriptUri,
              'EntryPointArguments.$': `States.Array($.InputDate, '${props.rawBucket}', '${props.outputBucket}')`,
              SparkSubmitParameters: `--files ${props.sqlUri} --conf spark.executor.cores=2 --conf spark.executor.memory=4g --conf spark.driver.cores=1 --conf spark.driver.memory=2g`,
            },
          },
          ConfigurationOverrides: {
            MonitoringConfiguration: { S3MonitoringConfiguration: { LogUri: props.logUri } },
          },
        },
        ResultSelector: { 'applicationId.$': '$.ApplicationId', 'jobRunId.$': '$.JobRunId' },
        ResultPath: '$.job',
        TimeoutSeconds: 60,
        Retry: [retry(EMR_TRANSIENT, 4)],
        Catch: catchAll(STATES.submitFailed),
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
        TimeoutSeconds: 30,
        Retry: [retry([...LAMBDA_TRANSIENT, WORKFLOW_ERRORS.statusUnavailable], 5)],
        Catch: catchAll(STATES.statusFailed),
        Next: STATES.jobStateChoice,
      },
      [STATES.jobStateChoice]: {
        Type: 'Choice',
        Choices: [
          { ...anyOf(JOB_STATES.success), Next: STATES.succeeded },
          { ...anyOf(JOB_STATES.failure), Next: STATES.describeFailure },
          { ...anyOf(JOB_STATES.pending), Next: STATES.waitForJob },
        ],
        Default: STATES.describeUnknown,
      },
      [STATES.succeeded]: { Type: 'Succeed' },
      // Fail states quote the cause from a path; the message is built by a Pass state first,
      // because intrinsic functions in CausePath are not supported by every ASL runtime.
      [STATES.describeFailure]: {
        Type: 'Pass',
        Parameters: {
          'cause.$': "States.Format('Job run {} ended {}: {}', $.job.jobRunId, $.status.state, $.status.stateDetails)",
        },
        ResultPath: '$.failure',
        Next: STATES.jobFailed,
      },
      [STATES.jobFailed]: { Type: 'Fail', Error: WORKFLOW_ERRORS.jobFailed, CausePath: '$.failure.cause' },
      [STATES.describeUnknown]: {
        Type: 'Pass',
        Parameters: {
          'cause.$': "States.Format('Job run {} reported unexpected state {}', $.job.jobRunId, $.status.state)",
        },
        ResultPath: '$.failure',
        Next: STATES.unknownState,
      },
      [STATES.unknownState]: { Type: 'Fail', Error: WORKFLOW_ERRORS.unknownState, CausePath: '$.failure.cause' },
      [STATES.invalidInput]: failWithCaughtError(WORKFLOW_ERRORS.invalidInput),
      [STATES.submitFailed]: failWithCaughtError(WORKFLOW_ERRORS.submitFailed),
      [STATES.statusFailed]: failWithCaughtError(WORKFLOW_ERRORS.statusFailed),
    },
  };
}
