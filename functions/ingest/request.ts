/**
 * Turns what the Lambda receives into a list of raw events: a click object, an array of
 * clicks, or an HTTP event (Function URL / API Gateway) whose body is either.
 */
import { LIMITS } from './limits';

export interface IngestRequest {
  readonly events: unknown[];
  readonly http: boolean;
  readonly sourceIp?: string;
}

export class RequestError extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

interface HttpEvent {
  body?: unknown;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { sourceIp?: string; method?: string }; identity?: { sourceIp?: string } };
  httpMethod?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Function URLs and HTTP APIs send requestContext.http; REST APIs send httpMethod. */
export function isHttpEvent(event: unknown): event is HttpEvent {
  return (
    isObject(event) && isObject(event.requestContext) && (isObject(event.requestContext.http) || 'httpMethod' in event)
  );
}

function toEvents(payload: unknown): unknown[] {
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw new RequestError('no events: the array is empty');
    if (payload.length > LIMITS.maxEventsPerRequest) {
      throw new RequestError(
        `too many events: ${payload.length}, at most ${LIMITS.maxEventsPerRequest} per request`,
        413,
      );
    }
    return payload;
  }
  if (isObject(payload)) return [payload];
  throw new RequestError(
    `expected a click object or an array of click objects, got ${payload === null ? 'null' : typeof payload}`,
  );
}

export function parseRequest(event: unknown): IngestRequest {
  if (!isHttpEvent(event)) return { events: toEvents(event), http: false };

  const sourceIp = event.requestContext?.http?.sourceIp ?? event.requestContext?.identity?.sourceIp;
  if (event.requestContext?.http?.method && event.requestContext.http.method !== 'POST') {
    throw new RequestError('use POST', 405);
  }
  if (typeof event.body !== 'string' || event.body.length === 0) throw new RequestError('empty body');
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > LIMITS.maxBodyBytes) {
    throw new RequestError(`body is ${bytes} bytes, over the ${LIMITS.maxBodyBytes}-byte limit`, 413);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new RequestError('body is not valid JSON');
  }
  return { events: toEvents(payload), http: true, sourceIp };
}
