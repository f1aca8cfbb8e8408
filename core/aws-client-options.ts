/**
 * Options every AWS client of this project uses: a request that hangs fails after a bounded
 * time, so that a retry (the SDK's, the caller's or the workflow's) can take over.
 * CLICKLOGGER_AWS_REQUEST_TIMEOUT_MS sets the request timeout (default 10 s); a client with a
 * time budget (`maxRequestTimeoutMs`) takes it only when it is shorter.
 */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 3_000;

export function awsClientOptions(
  { maxRequestTimeoutMs = Number.POSITIVE_INFINITY }: { maxRequestTimeoutMs?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
) {
  const configured = Number(env.CLICKLOGGER_AWS_REQUEST_TIMEOUT_MS);
  const wanted = Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_REQUEST_TIMEOUT_MS;
  const requestTimeout = Math.min(wanted, maxRequestTimeoutMs);
  return {
    requestHandler: {
      requestTimeout,
      // Without it, the SDK's handler only logs a warning when requestTimeout passes, and waits on.
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeout),
    },
  };
}
