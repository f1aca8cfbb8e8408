/**
 * One ingestion request, from the event the function receives to its answer. The Lambda handler
 * (handler.ts) and `clicklogger serve` both call this; they differ in the Firehose they pass.
 */
import { ingestEvents, type IngestSummary } from './ingest';
import type { FirehoseSender } from './deliver';
import type { ClickPrivacy } from '../../core/privacy';
import { isHttpEvent, parseRequest, RequestError, type RequestRules } from './request';
import { fromError, fromSummary, type IngestResponse, toHttp } from './response';

export interface IngestionTarget extends RequestRules {
  readonly firehose: FirehoseSender;
  readonly streamName: string;
  readonly maxClockSkewMs?: number;
  readonly privacy: ClickPrivacy;
}

export interface HandledRequest {
  /** What the caller gets: the HTTP form for an HTTP event. */
  readonly answer: IngestResponse | ReturnType<typeof toHttp>;
  readonly response: IngestResponse;
  /** Set when the request was read and its events ingested. */
  readonly summary?: IngestSummary;
  /** The events the request held (0 when it could not be read). */
  readonly events: number;
  /** Why the request could not be read at all. */
  readonly refused?: RequestError;
}

export async function handleRequest(
  event: unknown,
  target: IngestionTarget,
  timing: { readonly receivedAt: Date; readonly deadline: number },
): Promise<HandledRequest> {
  const http = isHttpEvent(event);
  const answer = (response: IngestResponse) => (http ? toHttp(response) : response);
  let request;
  try {
    request = parseRequest(event, target);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    const response = fromError(error.statusCode, error.message);
    return { answer: answer(response), response, events: 0, refused: error };
  }
  const summary = await ingestEvents(request.events, {
    firehose: target.firehose,
    streamName: target.streamName,
    receivedAt: timing.receivedAt,
    sourceIp: request.sourceIp,
    maxClockSkewMs: target.maxClockSkewMs,
    privacy: target.privacy,
    deadline: timing.deadline,
  });
  const response = fromSummary(summary);
  return { answer: answer(response), response, summary, events: request.events.length };
}
