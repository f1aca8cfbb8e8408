/**
 * What `clicklogger erase` means, wherever it runs (a local folder, a stage): whose clicks, the
 * record the erase mode leaves, and the days it leaves to report. No I/O here.
 */
import { ERASURE } from './contracts';
import { contextPseudonymOf, pseudonymOf } from './privacy';
import { isReportDate } from './report-date';

/** Whose clicks: the column, the values stored for the person, and the pseudonym the log names. */
export interface ErasureSubject {
  readonly column: 'user' | 'contextid';
  readonly stored: readonly string[];
  readonly pseudonym: string;
}

/**
 * A user is stored as a pseudonym (the default) or as sent (`user: keep`): both are matched. A
 * visit is stored by its contextid as sent. (spark/report_erase.py matches the same.)
 */
export function subjectOf(column: 'user' | 'contextid', pseudonym: string, value: string): ErasureSubject {
  return { column, stored: column === 'user' ? [...new Set([pseudonym, value])] : [value], pseudonym };
}

export function erasureSubject(kind: 'user' | 'contextid', value: string, key: Uint8Array): ErasureSubject {
  return subjectOf(kind, kind === 'user' ? pseudonymOf(value, key) : contextPseudonymOf(value, key), value);
}

export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

/** One erasure-log record (an object of its own under ERASURE.logPrefix in the output bucket). */
export interface ErasureRecord {
  readonly time: string;
  readonly subject: string;
  readonly days: readonly string[];
  /** Keys in the raw bucket: `clicklog/data=<date>/<file>`. */
  readonly files: readonly string[];
  readonly rows: number;
  readonly rowsByDay: Readonly<Record<string, number>>;
  /** The proof: the person's clicks left in the range after the rewrite. */
  readonly left: number;
}

/** `erasure-log/2026-12-06T19-50-00.000Z-u_….json`, as the Spark job names it (report_erase.log_key). */
export function erasureLogKey(time: string, pseudonym: string): string {
  return `${ERASURE.logPrefix}${time.replaceAll(':', '-')}-${pseudonym}.json`;
}

/** The dates an ERASURE.pending file lists; none when it is not one. */
export function pendingDaysIn(text: string): string[] {
  let days: unknown;
  try {
    days = (JSON.parse(text) as { days?: unknown } | null)?.days;
  } catch {
    return [];
  }
  return Array.isArray(days) ? days.filter((d): d is string => typeof d === 'string' && isReportDate(d)) : [];
}
