/**
 * @jest-environment jest-environment-node-single-context
 *
 * The deployed state machine definition on aws-local-stepfunctions, with its StartJobRun and
 * GetJobStatus tasks reaching an EMR Serverless endpoint that answers with canned HTTP faults
 * through the real SDK client. StartJobRun stands for Step Functions' aws-sdk integration: one
 * attempt per try, errors named `EmrServerless.<Name>Exception` as the developer guide says,
 * and the state's Retry does the rest.
 */
import { EMRServerlessClient, StartJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { awsClientOptions } from '../../functions/shared/aws-client-options';
import type { StartJobRunParameters } from '../../local/job-runner';
import { type EmrServerlessTarget, runReportWorkflow } from '../../local/report-workflow';
import { type LocalStack, synthesizeLocalStack } from '../../local/synthesized-stack';
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

/** Names an SDK error as Step Functions' aws-sdk integration does. */
function integrationError(error: unknown): Error {
  const name = (error as Error).name.endsWith('Exception')
    ? (error as Error).name
    : `${(error as Error).name}Exception`;
  return Object.assign(new Error((error as Error).message), { name: `EmrServerless.${name}` });
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
    send: (command) => statusClient.send(command),
  };
}

const started = json({
  applicationId: 'local-application',
  jobRunId: 'run-1',
  arn: 'arn:aws:emr-serverless:us-east-1:1:/applications/a/jobruns/run-1',
});
const jobRun = (state: string) => jobRunAnswer(state, 'local-application');
const throttled = jsonError(400, 'ThrottlingException', 'Rate exceeded');

const run = () =>
  runReportWorkflow({ stack, emr: emrEndpoint(), input: { InputDate: '2023-02-08' }, pollMs: 1, retryMs: 1 });

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

it.each([
  [
    'StartJobRun',
    jsonError(400, 'ValidationException', 'Job driver is invalid'),
    'JobSubmitFailed',
    /Job driver is invalid/,
  ],
  [
    'StartJobRun',
    jsonError(403, 'AccessDeniedException', 'not authorized to pass the role'),
    'JobSubmitFailed',
    /not authorized/,
  ],
  [
    'GetJobRun',
    jsonError(403, 'AccessDeniedException', 'not authorized to get job runs'),
    'StatusCheckFailed',
    /not authorized/,
  ],
  ['GetJobRun', jsonError(404, 'ResourceNotFoundException', 'no such job run'), 'StatusCheckFailed', /run-1 not found/],
])('ends in the right Fail state, with the cause, on a permanent %s error', async (operation, answer, error, cause) => {
  canned.answer('StartJobRun', started).answer('GetJobRun', jobRun('SUCCESS')).answer(operation, answer);
  const result = await run();
  expect(result).toMatchObject({ status: 'FAILED', error });
  expect(result.status === 'FAILED' && result.cause).toMatch(cause);
  expect(canned.calls(operation)).toHaveLength(1);
});
