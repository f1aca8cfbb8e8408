import type { Click } from '../../core/click-schema';

let requestIds = 0;

/**
 * A normalized click (as ingestion stores it) at `createdtime`, with optional overrides. Each has
 * a request id of its own: the same caller and request id twice is one click delivered twice.
 */
export function storedClick(
  createdtime: string,
  extra: Partial<Record<keyof Click, unknown>> = {},
): Record<string, unknown> {
  return {
    requestid: `r${++requestIds}`,
    contextid: 'c',
    callerid: 'App',
    component: 'x',
    action: 'a',
    type: 't',
    user: 'GUEST',
    clientip: 'APIGWY',
    createdtime,
    ...extra,
  };
}

/** One raw click event as a JSON line of an events file, request id `r<n>`, with optional overrides. */
export const eventLine = (n: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    requestid: `r${n}`,
    contextid: 'c',
    callerid: 'App',
    component: 'login',
    action: 'load',
    type: 'webpage',
    createdtime: '2023-02-08T10:00:00Z',
    ...extra,
  });
