/**
 * Runs the report state machine on this machine with aws-local-stepfunctions. The definition
 * is the one the stack deploys (reportWorkflowDefinition), given local names; its tasks are
 * bound to the real date plan and job-status handler code and to the local job runner.
 */
import { randomUUID } from 'node:crypto';
import type * as LocalStepFunctions from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };
import { getJobStatus, type JobStatusInput } from '../../functions/job-status/handler';
import { type PlanInput, planDates, type ReportInventory } from '../../functions/plan-dates/plan';
import { JOB_LOG_PREFIX, REPORT_SQL_FILES, SPARK_FILES, sparkObjectUri } from '../../core/contracts';
import { eraseWorkflowDefinition } from '../../stacks/erase-definition';
import { reportWorkflowDefinition, STATES } from '../../stacks/state-machine-definition';
import type { GetJobRunCommand, GetJobRunCommandOutput } from '@aws-sdk/client-emr-serverless';
import type { CancelJobRunParameters, StartJobRunParameters } from '../emr/job-runner';
import type { LocalStack } from '../run/synthesized-stack';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's types are ESM, but it ships a CommonJS build, which only require() reaches from here
const { StateMachine } = require('aws-local-stepfunctions') as typeof LocalStepFunctions;

export const LOCAL_APPLICATION_ID = 'local-application';
const LOCAL_ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

export type WorkflowResult =
  | { status: 'SUCCEEDED'; output: unknown; executionName: string }
  | { status: 'FAILED'; error: string; cause: string; executionName: string };

/** What the StartJobRun and GetJobStatus tasks reach: the local job runner, or (in tests) an EMR Serverless endpoint. */
export interface EmrServerlessTarget {
  /** The emrserverless:startJobRun integration: PascalCase parameters in and out; errors named `EmrServerless.<Name>`. */
  startJobRun(params: StartJobRunParameters): unknown;
  /** The emrserverless:cancelJobRun integration, likewise. */
  cancelJobRun(params: CancelJobRunParameters): unknown;
  /** GetJobRun, for the job-status handler. */
  send(command: GetJobRunCommand): Promise<GetJobRunCommandOutput>;
  /** Resolves when every started job has finished. */
  idle?(): Promise<void>;
  /** Stops every job still running, and waits for them. */
  stopAll?(reason: string): Promise<void>;
}

export interface WorkflowOptions {
  readonly stack: LocalStack;
  readonly emr: EmrServerlessTarget;
  /** Execution input, e.g. `{ InputDate: '2023-02-08' }` or `{ InputDates: [...] }`. */
  readonly input: Record<string, unknown>;
  /** The partitions and reports the date plan compares. Default: none (only the asked-for dates). */
  readonly inventory?: ReportInventory;
  /** The definition to run. Default: the stack's, with local names. */
  readonly definition?: Record<string, unknown>;
  /** Real milliseconds for each Wait between polls. Default: 20. */
  readonly pollMs?: number;
  /** Real milliseconds before each Retry of a task, instead of the definition's backoff (tests). */
  readonly retryMs?: number;
  /** Called with each state the execution enters. */
  readonly onState?: (name: string, detail?: string) => void;
  /** Aborts the execution and stops its jobs; the result settles once they have stopped. */
  readonly signal?: AbortSignal;
}

const NO_INVENTORY: ReportInventory = {
  partitionFiles: () => Promise.resolve([]),
  reportRead: () => Promise.resolve('none'),
};

export function scriptUri(stack: LocalStack): string {
  return sparkObjectUri(stack.sourceBucket, SPARK_FILES.script);
}

/** The stack's names as the local run knows them, for the job-run states of both workflows. */
function localJobRunProps(stack: LocalStack) {
  return {
    statusFunctionArn: `${LOCAL_ARN}:job-status`,
    applicationId: LOCAL_APPLICATION_ID,
    jobRoleArn: 'arn:aws:iam::000000000000:role/local-job-role',
    scriptUri: scriptUri(stack),
    sqlUris: Object.values(REPORT_SQL_FILES).map((file) => sparkObjectUri(stack.sourceBucket, file)),
    renderersUri: sparkObjectUri(stack.sourceBucket, SPARK_FILES.renderers),
    rawBucket: stack.delivery.rawBucket,
    outputBucket: stack.outputBucket,
    logUri: `s3://${stack.logsBucket}/${JOB_LOG_PREFIX}`,
    jobTimeoutMinutes: stack.jobTimeoutMinutes,
    // The cloud's poll interval; locally each Wait is overridden to pollMs.
    pollSeconds: 30,
  };
}

function localDefinition(stack: LocalStack) {
  return reportWorkflowDefinition({
    ...localJobRunProps(stack),
    planDatesFunctionArn: `${LOCAL_ARN}:plan-dates`,
    visitsUri: sparkObjectUri(stack.sourceBucket, SPARK_FILES.visits),
    pageUri: sparkObjectUri(stack.sourceBucket, SPARK_FILES.page),
    funnels: stack.funnels,
    sizing: stack.sizing,
    rowsPerCaller: stack.rowsPerCaller,
  });
}

/** The erase state machine the stack deploys, with local names. */
export function localEraseDefinition(stack: LocalStack) {
  return eraseWorkflowDefinition({
    ...localJobRunProps(stack),
    eraserUri: sparkObjectUri(stack.sourceBucket, SPARK_FILES.eraser),
  });
}

export async function runReportWorkflow(options: WorkflowOptions): Promise<WorkflowResult> {
  const { emr } = options;
  const inventory = options.inventory ?? NO_INVENTORY;
  const machine = new StateMachine((options.definition ?? localDefinition(options.stack)) as never, {
    validationOptions: { noValidate: true },
  });
  const executionName = `local-${randomUUID()}`;
  const notify = options.onState ?? (() => undefined);
  const execution = machine.run(options.input as never, {
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:000000000000:execution:${options.stack.stateMachineName}:${executionName}`,
        Name: executionName,
      },
    },
    overrides: {
      waitTimeOverrides: { [STATES.waitForJob]: options.pollMs ?? 20 },
      retryIntervalOverrides:
        options.retryMs === undefined
          ? undefined
          : Object.fromEntries(
              [STATES.planDates, STATES.startJobRun, STATES.getJobStatus, STATES.cancelJobRun].map((s) => [
                s,
                options.retryMs!,
              ]),
            ),
      taskResourceLocalHandlers: {
        // Lambda tasks answer as lambda:invoke does: the function's result under Payload.
        [STATES.planDates]: async (input: { Payload?: PlanInput }) => ({
          Payload: await planDates(input.Payload, inventory, { lateDays: options.stack.lateDays }),
        }),
        [STATES.startJobRun]: async (input: StartJobRunParameters) => emr.startJobRun(input),
        [STATES.cancelJobRun]: async (input: CancelJobRunParameters) => emr.cancelJobRun(input),
        [STATES.getJobStatus]: async (input: { Payload: JobStatusInput }) => {
          const status = await getJobStatus(input.Payload, emr, LOCAL_APPLICATION_ID);
          notify(STATES.getJobStatus, status.state);
          return { Payload: status };
        },
      } as never,
    },
  });

  const watch = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') notify(event.state.name);
    }
  })();
  const stop = () => {
    execution.abort();
    void emr.stopAll?.('the run was interrupted');
  };
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const output = await execution.result;
    return { status: 'SUCCEEDED', output, executionName };
  } catch (error) {
    const failure = (error as { cause?: { name?: string; message?: string } }).cause;
    return {
      status: 'FAILED',
      error: failure?.name ?? 'ExecutionFailed',
      cause: failure?.message ?? String(error),
      executionName,
    };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await watch.catch(() => undefined);
    await emr.idle?.();
  }
}
