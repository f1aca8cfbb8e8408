/** The answer to an ingestion request, and its HTTP form. */
import type { IngestSummary } from './ingest';

export interface IngestResponse {
  readonly statusCode: number;
  readonly accepted: number;
  readonly rejected: IngestSummary['rejected'];
  readonly failed: IngestSummary['failed'];
  /** Clicks of erased people, dropped (only when there were any). */
  readonly suppressed?: number;
  readonly error?: string;
}

/**
 * 200: everything accepted. 207: some accepted, some not. 400: nothing valid.
 * 503: valid events that could not be delivered and none that could.
 */
function summaryStatus(summary: IngestSummary): number {
  const { accepted, rejected, failed } = summary;
  if (rejected.length === 0 && failed.length === 0) return 200;
  if (accepted > 0) return 207;
  return failed.length > 0 ? 503 : 400;
}

export function fromSummary(summary: IngestSummary): IngestResponse {
  return {
    statusCode: summaryStatus(summary),
    accepted: summary.accepted,
    rejected: summary.rejected,
    failed: summary.failed,
    ...(summary.suppressed > 0 ? { suppressed: summary.suppressed } : {}),
  };
}

export function fromError(statusCode: number, error: string): IngestResponse {
  return { statusCode, accepted: 0, rejected: [], failed: [], error };
}

export function toHttp(response: IngestResponse) {
  return {
    statusCode: response.statusCode,
    // No CORS headers: the front (the HTTP API, the Function URL, `serve`) answers CORS from its allow-list.
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(response),
  };
}
