/**
 * The report workflow's Amazon States Language definition: the one source of truth.
 * The stack passes Terraform references; the local runner passes local names.
 *
 *   PlanDates → the job-run states (job-run-states.ts) → ReportWritten
 *
 * Once StartJobRun has succeeded, no path ends the execution with the job still running: a
 * failure cancels the job first, and the cause says whether the cancel worked. The one path
 * no state can catch, the execution's own timeout, comes after the job's ExecutionTimeoutMinutes,
 * so EMR Serverless has stopped the job by then.
 */
import { WORKFLOW_ERRORS } from '../core/contracts';
import { type Funnel, funnelsConf } from '../core/funnels';
import type { JobSizing } from '../core/job-sizing';
import { rowsPerCallerConf } from '../core/report-listing';
import { WORKFLOW_CALL_BUDGET } from '../core/time-budget';
import {
  checkPollBudget,
  catchInto,
  describeCaught,
  executionTimeoutSeconds,
  failWithDescribed,
  type JobRunProps,
  jobRunStates,
  LAMBDA_INVOKE_RESOURCE,
  LAMBDA_RETRYABLE,
  retry,
  STATES,
} from './job-run-states';

// The tests and the local runner import these from here, with the definition.
export {
  CANCEL_JOB_RUN_RESOURCE,
  EMR_RETRYABLE,
  EVENTS_PER_POLL,
  executionTimeoutSeconds,
  JOB_STATES,
  LAMBDA_INVOKE_RESOURCE,
  LAMBDA_RETRYABLE,
  MAX_POLLS,
  START_JOB_RUN_RESOURCE,
  STATES,
} from './job-run-states';

export interface ReportWorkflowProps extends Omit<JobRunProps, 'pyFilesUris'> {
  readonly planDatesFunctionArn: string;
  /** s3:// URI of the job's renderers (spark/report_render.py), shipped with --py-files. */
  readonly renderersUri: string;
  /** s3:// URI of the job's visits and funnels module (spark/report_visits.py), --py-files too. */
  readonly visitsUri: string;
  /** s3:// URI of the job's HTML page (spark/report_page.py), --py-files too. */
  readonly pageUri: string;
  /** The funnels the report follows visits through (config `funnels`). */
  readonly funnels: readonly Funnel[];
  /** Rows of response.md's counts table each caller gets at most (config `reportRowsPerCaller`). */
  readonly rowsPerCaller: number;
  /** The job's shuffle and executor ceiling, sized for the busiest day (config `emr.clicksPerDay`). */
  readonly sizing: JobSizing;
  readonly rawBucket: string;
  readonly outputBucket: string;
}

export function reportWorkflowDefinition(props: ReportWorkflowProps): Record<string, unknown> {
  checkPollBudget(props);
  return {
    Comment: 'clicklogger daily report: submit the Spark job to EMR Serverless and poll it to completion',
    StartAt: STATES.planDates,
    TimeoutSeconds: executionTimeoutSeconds(props),
    States: {
      [STATES.planDates]: {
        Type: 'Task',
        Comment:
          'The dates to report: those asked for (default: yesterday, UTC) and the late-data window days whose partition changed since their report',
        Resource: LAMBDA_INVOKE_RESOURCE,
        Parameters: { FunctionName: props.planDatesFunctionArn, 'Payload.$': '$' },
        ResultSelector: {
          'InputDates.$': '$.Payload.InputDates',
          'DatesArgument.$': '$.Payload.DatesArgument',
          'JobName.$': '$.Payload.JobName',
          'Reasons.$': '$.Payload.Reasons',
        },
        // The plan replaces the input. (ResultPath's default, "$"; written out, aws-local-stepfunctions
        // sets a key named "$" instead.)
        TimeoutSeconds: WORKFLOW_CALL_BUDGET.taskTimeoutSeconds,
        Retry: [retry([...LAMBDA_RETRYABLE, WORKFLOW_ERRORS.listingUnavailable], 5)],
        Catch: [
          { ErrorEquals: [WORKFLOW_ERRORS.invalidInputDate], ResultPath: '$.error', Next: STATES.describeInvalidInput },
          ...catchInto('$.error', STATES.describePlanFailure),
        ],
        Next: STATES.startJobRun,
      },
      ...jobRunStates({
        ...props,
        pyFilesUris: [props.renderersUri, props.visitsUri, props.pageUri],
        sparkConf: [funnelsConf(props.funnels), rowsPerCallerConf(props.rowsPerCaller)],
        sizing: props.sizing,
        jobName: '$.JobName',
        // One job run reports every planned date.
        entryPointArguments: `States.Array($.DatesArgument, '${props.rawBucket}', '${props.outputBucket}')`,
        succeeded: STATES.succeeded,
      }),
      [STATES.succeeded]: { Type: 'Succeed' },
      // Before submission: no job to cancel.
      ...describeCaught(STATES.describeInvalidInput, {
        error: WORKFLOW_ERRORS.invalidInput,
        from: '$.error',
        into: '$.failure',
        next: STATES.invalidInput,
      }),
      [STATES.invalidInput]: failWithDescribed,
      ...describeCaught(STATES.describePlanFailure, {
        error: WORKFLOW_ERRORS.planFailed,
        from: '$.error',
        into: '$.failure',
        next: STATES.planFailed,
        named: true,
      }),
      [STATES.planFailed]: failWithDescribed,
    },
  };
}
