/**
 * @jest-environment jest-environment-node-single-context
 *
 * The deployed state machine definition on aws-local-stepfunctions, with its StartJobRun,
 * CancelJobRun and GetJobStatus tasks reaching an EMR Serverless endpoint that answers with
 * canned HTTP faults through the real SDK clients. The EMR tasks stand for Step Functions'
 * aws-sdk integration: one attempt per try, and errors named as it names them (see
 * integrationError); the state's Retry does the rest.
 */
import * as emrServerless from '@aws-sdk/client-emr-serverless';
import { CancelJobRunCommand, EMRServerlessClient, StartJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { awsClientOptions } from '../../core/aws-client-options';
import type { CancelJobRunParameters, StartJobRunParameters } from '../../local/emr/job-runner';
import { type EmrServerlessTarget, runReportWorkflow } from '../../local/stepfunctions/report-workflow';
import { type LocalStack, synthesizeLocalStack } from '../../local/run/synthesized-stack';
import { STATES } from '../../stacks/state-machine-definition';
import { CannedAws, jobRunAnswer, json, jsonError } from '../support/canned-aws';

const canned = new CannedAws();
let stack: LocalStack;
beforeAll(async () => {
  await canned.start();
  stack = synthesizeLocalStack();
});
afterAll(() => canned.stop());
beforeEach(() => canned.reset());

const sdk = () => ({
  ...awsClientOptions(),
  endpoint: canned.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 't', secretAccessKey: 't' },
});

/** An error as a Task state sees it. */
class TaskError extends Error {
  constructor(name: string, message?: string) {
    super(message);
    this.name = name;
    // Some errors reach a Catch without a Cause (the message is where the local runtime takes it from).
    if (message === undefined) Object.defineProperty(this, 'message', { value: undefined });
  }
}

/**
 * Names an SDK error as Step Functions' aws-sdk integration does: `EmrServerless.<Name>` for the
 * errors the service model lists, the service-wide `EmrServerless.EmrServerlessException` for
 * those it does not (throttling, access denied), `EmrServerless.SdkClientException` when no
 * answer came.
 */
function integrationError(error: unknown): Error {
  const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
  const modelled = typeof (emrServerless as Record<string, unknown>)[name] === 'function';
  const errorName = modelled ? name : $metadata?.httpStatusCode ? 'EmrServerlessException' : 'SdkClientException';
  return new TaskError(`EmrServerless.${errorName}`, message);
}

function emrEndpoint(): EmrServerlessTarget {
  const integration = new EMRServerlessClient({ ...sdk(), maxAttempts: 1 });
  const statusClient = new EMRServerlessClient(sdk());
  return {
    async startJobRun(p: StartJobRunParameters) {
      const driver = p.JobDriver!.SparkSubmit!;
      try {
        const out = await integration.send(
          new StartJobRunCommand({
            applicationId: p.ApplicationId,
            clientToken: p.ClientToken,
            executionRoleArn: p.ExecutionRoleArn,
            name: p.Name,
            jobDriver: {
              sparkSubmit: {
                entryPoint: driver.EntryPoint,
                entryPointArguments: driver.EntryPointArguments,
                sparkSubmitParameters: driver.SparkSubmitParameters,
              },
            },
          }),
        );
        return { ApplicationId: out.applicationId, JobRunId: out.jobRunId, Arn: out.arn };
      } catch (error) {
        throw integrationError(error);
      }
    },
    async cancelJobRun(p: CancelJobRunParameters) {
      try {
        const out = await integration.send(
          new CancelJobRunCommand({ applicationId: p.ApplicationId, jobRunId: p.JobRunId }),
        );
        return { ApplicationId: out.applicationId, JobRunId: out.jobRunId };
      } catch (error) {
        throw integrationError(error);
      }
    },
    send: (command) => statusClient.send(command),
  };
}

const started = json({
  applicationId: 'local-application',
  jobRunId: 'run-1',
  arn: 'arn:aws:emr-serverless:us-east-1:1:/applications/a/jobruns/run-1',
});
const cancelled = json({ applicationId: 'local-application', jobRunId: 'run-1' });
const jobRun = (state: string) => jobRunAnswer(state, 'local-application');
const throttled = jsonError(400, 'ThrottlingException', 'Rate exceeded');

async function run(emr: EmrServerlessTarget = emrEndpoint()) {
  const states: string[] = [];
  const result = await runReportWorkflow({
    stack,
    emr,
    input: { InputDate: '2023-02-08' },
    pollMs: 1,
    retryMs: 1,
    onState: (state) => states.push(state),
  });
  return { ...result, states, cause: result.status === 'FAILED' ? result.cause : '' };
}
/** The cancels that reached the endpoint, as [application, job run]. */
const cancels = () =>
  canned.calls('CancelJobRun').map((r) => /^\/applications\/([^/]+)\/jobruns\/([^/?]+)/.exec(r.url)!.slice(1));

it('ends SUCCEEDED when GetJobStatus is throttled twice, then sees RUNNING, then SUCCESS', async () => {
  canned.answer('StartJobRun', started).answer('GetJobRun', throttled, throttled, jobRun('RUNNING'), jobRun('SUCCESS'));
  expect(await run()).toMatchObject({ status: 'SUCCEEDED' });
  expect(canned.calls('GetJobRun')).toHaveLength(4);
});

it('ends SUCCEEDED when throttling outlasts the SDK, through the workflow Retry of JobStatusUnavailable', async () => {
  canned
    .answer('StartJobRun', started)
    .answer('GetJobRun', throttled, throttled, throttled, throttled, jobRun('SUCCESS'));
  expect(await run()).toMatchObject({ status: 'SUCCEEDED' });
  expect(canned.calls('GetJobRun')).toHaveLength(5);
});

it('ends SUCCEEDED when StartJobRun is throttled once, with one job: both tries carry the same ClientToken', async () => {
  canned.answer('StartJobRun', throttled, started).answer('GetJobRun', jobRun('SUCCESS'));
  expect(await run()).toMatchObject({ status: 'SUCCEEDED' });
  const tokens = canned.calls('StartJobRun').map((r) => JSON.parse(r.body).clientToken);
  expect(tokens).toHaveLength(2);
  expect(new Set(tokens).size).toBe(1);
});

describe('failures before the job is submitted', () => {
  it.each([
    [jsonError(400, 'ValidationException', 'Job driver is invalid'), 1],
    // Unmodelled, so it arrives as the service-wide EmrServerlessException, which is retried:
    // the first try and MaxAttempts (4) retries.
    [jsonError(403, 'AccessDeniedException', 'not authorized to pass the role'), 5],
  ])('ends JobSubmitFailed with the cause, and cancels nothing (%#)', async (answer, attempts) => {
    canned.answer('StartJobRun', answer);
    const result = await run();
    expect(result).toMatchObject({ status: 'FAILED', error: 'JobSubmitFailed' });
    expect(result.cause).toMatch(/Job driver is invalid|not authorized/);
    expect(canned.calls('StartJobRun')).toHaveLength(attempts);
    expect(cancels()).toEqual([]);
  });

  it('ends JobSubmitFailed even when the caught error has no Cause (a Fail state must not need one)', async () => {
    const result = await run({
      ...emrEndpoint(),
      startJobRun: () => {
        throw new TaskError('EmrServerless.ConflictException');
      },
    });
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'JobSubmitFailed',
      cause: 'EmrServerless.ConflictException',
    });
  });
});

describe('failures after the job is submitted: the job is cancelled first', () => {
  it.each([
    [
      'a permanent GetJobRun error',
      [jsonError(403, 'AccessDeniedException', 'not authorized to get job runs')],
      /not authorized/,
    ],
    [
      'a job run GetJobRun does not know',
      [jsonError(404, 'ResourceNotFoundException', 'no such job run')],
      /run-1 not found/,
    ],
    ['throttling that outlasts every retry', [throttled], /JobStatusUnavailable|Rate exceeded/],
  ])('after %s: StatusCheckFailed, with the cancel in the cause', async (_, answers, cause) => {
    canned
      .answer('StartJobRun', started)
      .answer('GetJobRun', ...answers)
      .answer('CancelJobRun', cancelled);
    // One SDK attempt per status check: the workflow's own retries are what this is about.
    const statusClient = new EMRServerlessClient({ ...sdk(), maxAttempts: 1 });
    const result = await run({ ...emrEndpoint(), send: (command) => statusClient.send(command) });
    expect(result).toMatchObject({ status: 'FAILED', error: 'StatusCheckFailed' });
    expect(result.cause).toMatch(cause);
    expect(result.cause).toMatch(/\(job run run-1 cancelled\)$/);
    expect(cancels()).toEqual([['local-application', 'run-1']]);
  });

  it('after a job state the workflow does not know: UnknownJobState, with the cancel in the cause', async () => {
    canned.answer('StartJobRun', started).answer('GetJobRun', jobRun('RESTARTING')).answer('CancelJobRun', cancelled);
    const result = await run();
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'UnknownJobState',
      cause: 'Job run run-1 reported unexpected state RESTARTING (job run run-1 cancelled)',
    });
    expect(cancels()).toEqual([['local-application', 'run-1']]);
    expect(result.states).toContain(STATES.cancelJobRun);
  });

  it('records a cancel that fails in the cause, never hiding it', async () => {
    canned
      .answer('StartJobRun', started)
      .answer('GetJobRun', jobRun('RESTARTING'))
      .answer('CancelJobRun', jsonError(400, 'ValidationException', 'Job run is in a terminal state'));
    const result = await run();
    expect(result).toMatchObject({ status: 'FAILED', error: 'UnknownJobState' });
    expect(result.cause).toBe(
      'Job run run-1 reported unexpected state RESTARTING (cancelling job run run-1 failed: ' +
        'EmrServerless.ValidationException: Job run is in a terminal state)',
    );
  });

  it('retries a throttled cancel, as the other EMR tasks', async () => {
    canned
      .answer('StartJobRun', started)
      .answer('GetJobRun', jobRun('RESTARTING'))
      .answer('CancelJobRun', throttled, cancelled);
    const result = await run();
    expect(result.cause).toMatch(/\(job run run-1 cancelled\)$/);
    expect(cancels()).toHaveLength(2);
  });

  it('describes a status check that failed without a Cause, and still cancels', async () => {
    canned.answer('StartJobRun', started).answer('CancelJobRun', cancelled);
    const result = await run({
      ...emrEndpoint(),
      send: () => Promise.reject(new TaskError('ValidationException')),
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'StatusCheckFailed' });
    expect(result.cause).toMatch(/^ValidationException \(job run run-1 cancelled\)$/);
  });

  it('does not cancel a job that ended FAILED: nothing runs any more', async () => {
    canned.answer('StartJobRun', started).answer('GetJobRun', jobRun('FAILED'));
    const result = await run();
    expect(result).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    expect(cancels()).toEqual([]);
  });
});
