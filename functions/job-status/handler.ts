/**
 * Polls one EMR Serverless job run: exactly one GetJobRun per invocation.
 * The state machine's Wait state does the waiting (the seed slept inside Lambda).
 */
import { EMRServerlessClient, GetJobRunCommand, ResourceNotFoundException } from '@aws-sdk/client-emr-serverless';
import { describeError, JobRunNotFoundError, JobStatusUnavailableError, MissingJobRunIdError } from '../shared/errors';
import { awsClientOptions } from '../shared/aws-client-options';
import { isTransientAwsError } from '../shared/aws-errors';
import { logger } from '../shared/observability';

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

const client = new EMRServerlessClient(awsClientOptions());

export async function getJobStatus(
  input: JobStatusInput,
  emr: Pick<EMRServerlessClient, 'send'> = client,
  defaultApplicationId: string | undefined = process.env.APPLICATION_ID,
): Promise<JobStatus> {
  const jobRunId = typeof input?.jobRunId === 'string' ? input.jobRunId.trim() : '';
  if (!jobRunId) throw new MissingJobRunIdError();
  const applicationId = input.applicationId || defaultApplicationId;
  if (!applicationId) throw new Error('applicationId is required (input or APPLICATION_ID)');

  let jobRun;
  try {
    ({ jobRun } = await emr.send(new GetJobRunCommand({ applicationId, jobRunId })));
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') {
      throw new JobRunNotFoundError(applicationId, jobRunId);
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

export const handler = async (event: JobStatusInput): Promise<JobStatus> => getJobStatus(event);
