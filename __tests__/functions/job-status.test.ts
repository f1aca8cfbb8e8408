import {
  EMRServerlessClient,
  GetJobRunCommand,
  InternalServerException,
  ResourceNotFoundException,
} from '@aws-sdk/client-emr-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import { getJobStatus, handler } from '../../functions/job-status/handler';
import { JOB_STATES } from '../../stacks/state-machine-definition';

const emr = mockClient(EMRServerlessClient);
const jobRun = (state: string, stateDetails?: string) => ({
  jobRun: {
    applicationId: 'app-1',
    jobRunId: 'run-1',
    arn: 'arn',
    createdBy: 'me',
    createdAt: new Date('2023-02-09T01:00:00Z'),
    updatedAt: new Date('2023-02-09T01:05:00Z'),
    executionRole: 'role',
    releaseLabel: 'emr-7.5.0',
    jobDriver: { sparkSubmit: { entryPoint: 's3://x' } },
    state: state as never,
    stateDetails,
  },
});

beforeEach(() => emr.reset());

it.each([...JOB_STATES.success, ...JOB_STATES.failure, ...JOB_STATES.pending])('passes %s through', async (state) => {
  emr.on(GetJobRunCommand).resolves(jobRun(state, `details of ${state}`));
  const status = await handler({ jobRunId: 'run-1', applicationId: 'app-1' });
  expect(status).toMatchObject({
    jobRunId: 'run-1',
    applicationId: 'app-1',
    state,
    stateDetails: `details of ${state}`,
  });
});

it('calls GetJobRun exactly once', async () => {
  emr.on(GetJobRunCommand).resolves(jobRun('RUNNING'));
  await handler({ jobRunId: 'run-1', applicationId: 'app-1' });
  expect(emr.commandCalls(GetJobRunCommand)).toHaveLength(1);
  expect(emr.commandCalls(GetJobRunCommand)[0].args[0].input).toEqual({ applicationId: 'app-1', jobRunId: 'run-1' });
});

it('takes the application id from the environment when the input has none', async () => {
  emr.on(GetJobRunCommand).resolves(jobRun('RUNNING'));
  await handler({ jobRunId: 'run-1' });
  expect(emr.commandCalls(GetJobRunCommand)[0].args[0].input.applicationId).toBe('app-from-env');
});

it('returns an empty stateDetails rather than undefined, so the Fail state can always quote it', async () => {
  emr.on(GetJobRunCommand).resolves(jobRun('FAILED'));
  expect((await handler({ jobRunId: 'run-1' })).stateDetails).toBe('');
});

it('raises JobRunNotFound for a missing job run', async () => {
  emr.on(GetJobRunCommand).rejects(new ResourceNotFoundException({ message: 'no such job', $metadata: {} }));
  await expect(handler({ jobRunId: 'nope' })).rejects.toMatchObject({
    name: 'JobRunNotFound',
    message: 'Job run nope not found in application app-from-env',
  });
});

it.each([[{}], [{ jobRunId: '' }], [{ jobRunId: 42 }]])('raises MissingJobRunId for %j', async (input) => {
  await expect(handler(input as never)).rejects.toMatchObject({ name: 'MissingJobRunId' });
  expect(emr.commandCalls(GetJobRunCommand)).toHaveLength(0);
});

it('raises the retryable JobStatusUnavailable on a server fault', async () => {
  emr
    .on(GetJobRunCommand)
    .rejects(new InternalServerException({ message: 'oops', $metadata: { httpStatusCode: 500 } }));
  await expect(getJobStatus({ jobRunId: 'run-1' }, new EMRServerlessClient({}), 'app')).rejects.toMatchObject({
    name: 'JobStatusUnavailable',
  });
});
