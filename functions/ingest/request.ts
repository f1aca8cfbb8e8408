/**
 * Turns what the Lambda receives into a list of raw events: a click object, an array of
 * clicks, or an HTTP event (Function URL / API Gateway) whose body is either. A request on the
 * public collector's route has its own, tighter rules: the page's origin must be allowed, and its
 * body is small.
 */
import { COLLECTOR_ROUTE, originAllowed, PUBLIC_LIMITS } from '../../core/collector';
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
  routeKey?: string;
  headers?: Record<string, string | undefined>;
  requestContext?: { http?: { sourceIp?: string; method?: string }; identity?: { sourceIp?: string } };
  httpMethod?: string;
}

/** How a request may be shaped: the public route's limits, or an invoked request's. */
export interface RequestRules {
  /** Origins the public collector admits (`*`: all). Undefined: no web page may send. */
  readonly allowedOrigins?: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Function URLs and HTTP APIs send requestContext.http; REST APIs send httpMethod. */
export function isHttpEvent(event: unknown): event is HttpEvent {
  return (
    isObject(event) && isObject(event.requestContext) && (isObject(event.requestContext.http) || 'httpMethod' in event)
  );
}

/** The public collector's route; a Function URL's events say `$default`. */
export function isPublicEvent(event: unknown): boolean {
  return isHttpEvent(event) && event.routeKey === COLLECTOR_ROUTE.key;
}

function toEvents(payload: unknown, maxEvents: number): unknown[] {
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw new RequestError('no events: the array is empty');
    if (payload.length > maxEvents) {
      throw new RequestError(`too many events: ${payload.length}, at most ${maxEvents} per request`, 413);
    }
    return payload;
  }
  if (isObject(payload)) return [payload];
  throw new RequestError(
    `expected a click object or an array of click objects, got ${payload === null ? 'null' : typeof payload}`,
  );
}

/** A header's value; payload 2.0 lower-cases the names, REST APIs keep the caller's case. */
function header(event: HttpEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** JSON, or text/plain holding JSON (a browser sends that without a preflight), or nothing said. */
const BODY_TYPES = /^(?:application\/json|text\/plain)\s*(?:;|$)/i;

function checkPublic(event: HttpEvent, rules: RequestRules): void {
  // A browser always names the page's origin on a cross-origin POST; other callers are not pages.
  const origin = header(event, 'origin');
  if (origin !== undefined && !originAllowed(origin, rules.allowedOrigins ?? [])) {
    throw new RequestError(`origin ${JSON.stringify(origin.slice(0, 100))} may not send clicks here`, 403);
  }
  const type = header(event, 'content-type');
  if (type !== undefined && !BODY_TYPES.test(type)) {
    throw new RequestError(
      `content-type must be application/json or text/plain, got ${JSON.stringify(type.slice(0, 100))}`,
      415,
    );
  }
}

export function parseRequest(event: unknown, rules: RequestRules = {}): IngestRequest {
  if (!isHttpEvent(event)) return { events: toEvents(event, LIMITS.maxEventsPerRequest), http: false };

  const limits = isPublicEvent(event) ? PUBLIC_LIMITS : LIMITS;
  const sourceIp = event.requestContext?.http?.sourceIp ?? event.requestContext?.identity?.sourceIp;
  if (event.requestContext?.http?.method && event.requestContext.http.method !== 'POST') {
    throw new RequestError('use POST', 405);
  }
  if (limits === PUBLIC_LIMITS) checkPublic(event, rules);
  if (typeof event.body !== 'string' || event.body.length === 0) throw new RequestError('empty body');
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > limits.maxBodyBytes) {
    throw new RequestError(`body is ${bytes} bytes, over the ${limits.maxBodyBytes}-byte limit`, 413);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new RequestError('body is not valid JSON');
  }
  return { events: toEvents(payload, limits.maxEventsPerRequest), http: true, sourceIp };
}
