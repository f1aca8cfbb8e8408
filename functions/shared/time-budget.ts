/**
 * How long each layer of a status check may take, in one place. Each limit sits inside the
 * next, so a GetJobRun that hangs ends as JobStatusUnavailable, which the workflow retries,
 * and never as the function's own timeout, which Step Functions reports as Lambda.Unknown:
 *
 *   SDK attempts × request timeout + backoff  ≤  call budget  <  function timeout  <  task TimeoutSeconds
 *
 * The call budget is also a hard stop (an abort signal), whatever the SDK's backoff does.
 */
export const STATUS_CHECK_BUDGET = {
  /** One GetJobRun attempt. */
  requestTimeoutMs: 4_000,
  /** Attempts of the SDK's standard retry strategy. */
  sdkAttempts: 3,
  /** The whole GetJobRun call, retries included; the handler aborts it here. */
  callBudgetMs: 16_000,
  /** Kept back for the function to answer after the call gives up. */
  answerMarginMs: 2_000,
  /** The job-status function's timeout. */
  functionTimeoutSeconds: 20,
  /** The GetJobStatus task's TimeoutSeconds. */
  taskTimeoutSeconds: 30,
} as const;

/**
 * The longest the SDK's standard retry strategy waits between `attempts` attempts, without a
 * Retry-After hint: a throttling base of 1 s, doubling per retry, each wait at most 20 s
 * (@smithy/core/retry, retries-2026-config and DefaultRetryBackoffStrategy).
 */
export function maxSdkBackoffMs(attempts: number): number {
  let total = 0;
  for (let retry = 0; retry < attempts - 1; retry++) total += Math.min(1_000 * 2 ** retry, 20_000);
  return total;
}
