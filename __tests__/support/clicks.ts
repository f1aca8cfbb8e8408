import type { Click } from '../../functions/shared/click-schema';

/** A normalized click (as ingestion stores it) at `createdtime`, with optional overrides. */
export function storedClick(
  createdtime: string,
  extra: Partial<Record<keyof Click, unknown>> = {},
): Record<string, unknown> {
  return {
    requestid: 'r',
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
