/**
 * The click schema: the one definition of a click event.
 *
 * The Glue table's columns, the ingestion validator, the local Parquet sink and
 * the contract tests against the Spark job are all derived from CLICK_FIELDS.
 */
import { CREATED_TIME_YEARS, normalizeCreatedTime } from './created-time';

export interface ClickField {
  readonly name: string;
  readonly required: boolean;
  /** Cap on the UTF-8 encoded value: Firehose, Parquet and S3 all count bytes. */
  readonly maxBytes: number;
  readonly comment: string;
}

export const CLICK_FIELDS = [
  { name: 'requestid', required: true, maxBytes: 256, comment: 'Caller-supplied request id' },
  { name: 'contextid', required: true, maxBytes: 256, comment: 'Caller-supplied context id' },
  { name: 'callerid', required: true, maxBytes: 128, comment: 'Application that sent the click' },
  { name: 'component', required: true, maxBytes: 128, comment: 'UI component clicked' },
  { name: 'action', required: true, maxBytes: 128, comment: 'What the user did' },
  { name: 'type', required: true, maxBytes: 64, comment: 'Kind of page or element' },
  { name: 'user', required: false, maxBytes: 256, comment: 'User name, GUEST when absent' },
  { name: 'clientip', required: false, maxBytes: 64, comment: 'Client IP, from the HTTP source when absent' },
  { name: 'createdtime', required: false, maxBytes: 64, comment: 'Event time, UTC ISO-8601' },
] as const satisfies readonly ClickField[];

type ClickFieldName = (typeof CLICK_FIELDS)[number]['name'];
/** A validated, normalized click: every field present, every value a string. */
export type Click = Record<ClickFieldName, string>;

export const DEFAULT_USER = 'GUEST';
/** The seed's placeholder when the client address is unknown. */
export const UNKNOWN_CLIENT_IP = 'APIGWY';

/** Event date (UTC) of a normalized createdtime: the partition value and the report's date. */
export function eventDate(click: Pick<Click, 'createdtime'>): string {
  return click.createdtime.slice(0, 10);
}

// C0/C1 controls other than tab and newline; bidi overrides and isolates that can reorder a
// rendered report; invisible characters that make two equal-looking values differ.
// ZWJ/ZWNJ stay allowed: emoji sequences and several scripts need them.
const FORBIDDEN_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/u;

/** The first rule `value` breaks, or undefined. Errors name the rule, never the value. */
function fieldProblem(field: ClickField, value: string): string | undefined {
  if (!value.isWellFormed()) return 'contains a lone surrogate (not valid Unicode)';
  if (FORBIDDEN_CHARACTERS.test(value)) return 'contains a control or invisible formatting character';
  // A UTF-16 unit is at most 3 UTF-8 bytes: short values need no count.
  if (value.length * 3 > field.maxBytes) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > field.maxBytes) return `is ${bytes} bytes, over the ${field.maxBytes}-byte limit`;
  }
  if (field.required && value.trim() === '') return 'must not be blank';
  return undefined;
}
export interface ClickDefaults {
  /** Source address of the HTTP request, when there was one. */
  readonly sourceIp?: string;
  /** Time of ingestion, used when the click has no createdtime. */
  readonly now: Date;
  /** A createdtime further ahead of `now` than this is refused. Default: no limit. */
  readonly maxClockSkewMs?: number;
}

/** The stack's default for how far ahead of receipt a createdtime may be (a client's clock running fast). */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/** Optional fields left blank count as absent, so they get their defaults. */
function nonBlank(value: string | undefined): string | undefined {
  return value?.trim() ? value : undefined;
}

/**
 * The latest createdtime accepted, normalized. Normalized times have one width and years of four
 * digits, so they compare as strings in time order; the bound is computed once per receipt time.
 */
let latest = { now: NaN, skew: NaN, iso: '' };
function latestTime(now: Date, skew: number): string {
  const ms = now.getTime();
  if (latest.now !== ms || latest.skew !== skew) {
    const bound = new Date(Math.min(ms + skew, Date.UTC(CREATED_TIME_YEARS.max, 11, 31, 23, 59, 59, 999)));
    latest = { now: ms, skew, iso: bound.toISOString() };
  }
  return latest.iso;
}

/** Every click starts as a copy of this: one shape, its fields in the schema's order. */
const EMPTY_CLICK = Object.fromEntries(CLICK_FIELDS.map((field) => [field.name, ''])) as Click;

export type ClickResult = { ok: true; click: Click } | { ok: false; errors: string[] };

/**
 * Validates one raw event and fills the defaults. Unknown fields are dropped.
 * Errors name the field and the rule, never the value, so they cannot echo a payload.
 */
export function parseClick(raw: unknown, defaults: ClickDefaults): ClickResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: ['event must be a JSON object'] };
  }
  // One pass over the fields; the happy path allocates nothing but the click.
  const value = raw as Record<string, unknown>;
  const click = { ...EMPTY_CLICK };
  let errors: string[] | undefined;
  for (const field of CLICK_FIELDS) {
    const v = value[field.name];
    if (v === undefined && !field.required) continue;
    const problem = typeof v === 'string' ? fieldProblem(field, v) : 'must be a string';
    if (problem) (errors ??= []).push(`${field.name}: ${problem}`);
    else click[field.name] = v as string;
  }
  if (errors) return { ok: false, errors };
  const createdtime = nonBlank(click.createdtime);
  const normalizedTime = createdtime === undefined ? defaults.now.toISOString() : normalizeCreatedTime(createdtime);
  if (normalizedTime === undefined) {
    return {
      ok: false,
      errors: [
        'createdtime: not a valid time (use ISO-8601 with Z or an offset, "YYYY-MM-DD HH:mm:ss" or "MM-dd-yyyy HH:mm:ss")',
      ],
    };
  }
  // A click cannot happen after it arrives: beyond a clock's skew, it would sit in a future day's
  // partition. Old clicks stay allowed: backfills are legitimate.
  const skew = defaults.maxClockSkewMs;
  if (skew !== undefined && normalizedTime > latestTime(defaults.now, skew)) {
    return {
      ok: false,
      errors: [`createdtime: in the future, more than ${skew / 1000}s after it was received (the clock-skew limit)`],
    };
  }
  click.user = nonBlank(click.user) ?? DEFAULT_USER;
  click.clientip = nonBlank(click.clientip) ?? defaults.sourceIp ?? UNKNOWN_CLIENT_IP;
  click.createdtime = normalizedTime;
  return { ok: true, click };
}
