/**
 * Which AWS errors are worth retrying, by the SDK's own classification (@smithy/core/retry):
 * throttling (a 429, or a ThrottlingException the service model does not list), timeouts,
 * dropped connections and 5xx. Everything else is permanent: retrying cannot fix it.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

type SdkError = Parameters<typeof isTransientError>[0];

export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkError;
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}
