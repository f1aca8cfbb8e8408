/**
 * Polls one EMR Serverless job run: exactly one GetJobRun per invocation.
 * The state machine's Wait state does the waiting (the seed slept inside Lambda).
 */
import type { Context } from 'aws-lambda';
import { EMRServerlessClient, GetJobRunCommand, ResourceNotFoundException } from '@aws-sdk/client-emr-serverless';
import { describeError, JobRunNotFoundError, JobStatusUnavailableError, MissingJobRunIdError } from '../../core/errors';
import { awsClientOptions } from '../../core/aws-client-options';
import { isTransientAwsError } from '../shared/aws-errors';
import { logger } from '../shared/observability';
import { WORKFLOW_CALL_BUDGET } from '../../core/time-budget';

export interface JobStatusInput {
  jobRunId?: string;
  applicationId?: string;
}

export interface JobStatus {
  applicationId: string;
  jobRunId: string;
  state: string;
  stateDetails: string;
  updatedAt?: string;
  totalExecutionDurationSeconds?: number;
}

const client = new EMRServerlessClient({
  ...awsClientOptions({ maxRequestTimeoutMs: WORKFLOW_CALL_BUDGET.requestTimeoutMs }),
  maxAttempts: WORKFLOW_CALL_BUDGET.sdkAttempts,
});

export async function getJobStatus(
  input: JobStatusInput,
  emr: Pick<EMRServerlessClient, 'send'> = client,
  defaultApplicationId: string | undefined = process.env.APPLICATION_ID,
  /** How long the GetJobRun call may take, retries included. */
  budgetMs: number = WORKFLOW_CALL_BUDGET.callBudgetMs,
): Promise<JobStatus> {
  const jobRunId = typeof input?.jobRunId === 'string' ? input.jobRunId.trim() : '';
  if (!jobRunId) throw new MissingJobRunIdError();
  const applicationId = input.applicationId || defaultApplicationId;
  if (!applicationId) throw new Error('applicationId is required (input or APPLICATION_ID)');

  let jobRun;
  try {
    ({ jobRun } = await emr.send(new GetJobRunCommand({ applicationId, jobRunId }), {
      abortSignal: AbortSignal.timeout(Math.max(1, budgetMs)),
    }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') {
      throw new JobRunNotFoundError(applicationId, jobRunId);
    }
    // The call's own budget ran out: as retryable as a timeout of one attempt.
    if ((error as Error).name === 'AbortError') {
      throw new JobStatusUnavailableError(`GetJobRun gave no answer within ${Math.round(budgetMs / 1000)} s`);
    }
    // Throttling (often a 400 ThrottlingException that is not in the service model), timeouts and
    // 5xx: the workflow retries JobStatusUnavailable. Anything else fails the status check.
    if (isTransientAwsError(error)) {
      throw new JobStatusUnavailableError(`GetJobRun failed: ${describeError(error)}`);
    }
    throw error;
  }
  if (!jobRun?.state) throw new JobRunNotFoundError(applicationId, jobRunId);

  const status: JobStatus = {
    applicationId,
    jobRunId,
    state: jobRun.state,
    stateDetails: jobRun.stateDetails ?? '',
    updatedAt: jobRun.updatedAt?.toISOString(),
    totalExecutionDurationSeconds: jobRun.totalExecutionDurationSeconds,
  };
  logger.info('job run status', { applicationId, jobRunId, state: status.state });
  return status;
}

export const handler = async (event: JobStatusInput, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // Give up in time to answer, even when the function's timeout was set shorter than the budget.
  const remaining = context ? context.getRemainingTimeInMillis() - WORKFLOW_CALL_BUDGET.answerMarginMs : Infinity;
  return getJobStatus(
    event,
    client,
    process.env.APPLICATION_ID,
    Math.min(WORKFLOW_CALL_BUDGET.callBudgetMs, remaining),
  );
};
