/**
 * The status check's time budget, layer inside layer, as the stack deploys it: a GetJobRun that
 * hangs must end as JobStatusUnavailable (retried) before Lambda stops the function (which Step
 * Functions reports as Lambda.Unknown), and the function before the task's TimeoutSeconds.
 */
import { reportStateMachine } from '../../stacks/terraform-json';
import { WORKFLOW_ERRORS } from '../../core/contracts';
import { maxSdkBackoffMs, WORKFLOW_CALL_BUDGET as budget } from '../../core/time-budget';
import { STATES } from '../../stacks/state-machine-definition';
import { find, synth } from '../support/synth';

const stack = synth();
const functionTimeoutMs = find(stack, 'aws_lambda_function', 'function_name', 'job-status-lambda').timeout * 1000;
const task = JSON.parse(reportStateMachine<any>(stack).definition).States[STATES.getJobStatus];
const sdkWorstCaseMs = budget.sdkAttempts * budget.requestTimeoutMs + maxSdkBackoffMs(budget.sdkAttempts);

it.each([
  ['the SDK: attempts × request timeout + backoff', sdkWorstCaseMs, 'the call budget', budget.callBudgetMs],
  [
    'the call budget + time to answer',
    budget.callBudgetMs + budget.answerMarginMs,
    'the function timeout',
    functionTimeoutMs,
  ],
  ['the function timeout', functionTimeoutMs, "the task's TimeoutSeconds", task.TimeoutSeconds * 1000],
])('%s (%i ms) fits within %s (%i ms)', (_, inner, __, outer) => {
  expect(inner).toBeLessThan(outer);
});

it('retries what each layer raises: the handler, the function timeout, the task timeout', () => {
  expect(task.Retry[0].ErrorEquals).toEqual(
    expect.arrayContaining([WORKFLOW_ERRORS.statusUnavailable, 'Lambda.Unknown', 'States.Timeout']),
  );
});

it('knows the SDK backoff: two retries wait at most 1 s and 2 s', () => {
  expect(maxSdkBackoffMs(3)).toBe(3_000);
  expect(maxSdkBackoffMs(1)).toBe(0);
});
