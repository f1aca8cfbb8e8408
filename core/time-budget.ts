/**
 * How long each layer of a workflow function's AWS calls may take (the status check's GetJobRun,
 * the date plan's listings), in one place. Each limit sits inside the next, so a call that hangs
 * ends as the function's own retryable error (JobStatusUnavailable, PartitionListingUnavailable)
 * and never as its timeout, which Step Functions reports as Lambda.Unknown:
 *
 *   SDK attempts × request timeout + backoff  ≤  call budget  <  function timeout  <  task TimeoutSeconds
 *
 * The call budget is also a hard stop (an abort signal), whatever the SDK's backoff does.
 */
export const WORKFLOW_CALL_BUDGET = {
  /** One request attempt. */
  requestTimeoutMs: 4_000,
  /** Attempts of the SDK's standard retry strategy. */
  sdkAttempts: 3,
  /** The function's calls, retries included; the handler aborts them here. */
  callBudgetMs: 16_000,
  /** Kept back for the function to answer after the call gives up. */
  answerMarginMs: 2_000,
  /** The functions' timeout. */
  functionTimeoutSeconds: 20,
  /** The tasks' TimeoutSeconds. */
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
