/**
 * The public collector's contract, shared by the stack (the HTTP API), the ingestion function
 * (its tighter limits) and `clicklogger serve` (the same collector on this machine).
 */
export const COLLECTOR_ROUTE = {
  method: 'POST',
  path: '/clicks',
  /** The route key API Gateway puts in each payload-2.0 event. */
  key: 'POST /clicks',
} as const;

/** What a browser may send cross-origin. `text/plain` needs no preflight; `content-type` is for the rest. */
export const COLLECTOR_CORS = {
  methods: ['POST'],
  headers: ['content-type'],
  maxAgeSeconds: 600,
} as const;

/**
 * A public request is smaller than an invoked one: a page sends at most a few hundred clicks at a
 * time, and a body bigger than this is not a page's.
 */
export const PUBLIC_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxEventsPerRequest: 200,
} as const;

/** The ingestion function's setting that holds the allowed origins (comma-separated, or `*`). */
export const COLLECTOR_ORIGINS_VARIABLE = 'COLLECTOR_ORIGINS';

/** True when `origin` may send, given the allow-list (`*` admits every origin). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin);
}
