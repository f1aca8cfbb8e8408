/**
 * Which days a report run covers. The asked-for days (a date, a list, a range, or the day
 * before the schedule fired) always; and every day of the late-data window before the latest
 * of them whose raw partition no longer holds what its report read: clicks came late, or the
 * day was never reported. A report records the digest of the file names it read, so a file
 * that lands while a report runs is seen by the next run, whatever its timestamp.
 */
import { InvalidInputDateError } from '../../core/errors';
import { inputDigest, isDataFile, REPORT_FILES } from '../../core/contracts';
import { isReportDate, reportKeyPrefix, yesterdayUtc } from '../../core/report-date';

/** The reason of a date the input names. */
export const ASKED_FOR = 'asked for';

/** At most this many days in one job run (a year of backfill). */
export const MAX_DATES_PER_RUN = 366;
const DAY_MS = 86_400_000;

export interface PlanInput {
  InputDate?: unknown;
  /** Several dates, as `clicklogger local` passes them. */
  InputDates?: unknown;
  /** A range, both ends included, as `clicklogger run --from/--to` passes it. */
  From?: unknown;
  To?: unknown;
  /** ISO time the schedule fired; a late or retried run still reports the day before it. */
  ScheduledTime?: unknown;
}

/** What a report read, as its report.json records it. */
export interface ReportRead {
  readonly files: number;
  readonly digest: string;
}

/** Where the partitions and the reports are: S3 in the cloud, folders locally. */
export interface ReportInventory {
  /** The names of the files in the raw partition of `date` (none when it has no partition). */
  partitionFiles(date: string): Promise<string[]>;
  /** What the report of `date` read: 'none' when it has no report, 'unknown' when its report.json does not say. */
  reportRead(date: string): Promise<ReportRead | 'none' | 'unknown'>;
}

export interface DatesPlan {
  /** Every date to report, in order. */
  InputDates: string[];
  /** The same, comma-separated: the job's first argument. */
  DatesArgument: string;
  /** The job run's name. */
  JobName: string;
  /** Why each date is reported. */
  Reasons: Record<string, string>;
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);

function checkDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isReportDate(value)) {
    throw new InvalidInputDateError(`${field} must be a real date written YYYY-MM-DD`);
  }
  return value;
}

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

/** The days asked for, each with why. */
function askedFor(input: PlanInput | null | undefined, now: Date): Map<string, string> {
  const asked = new Map<string, string>();
  if (!isBlank(input?.InputDates)) {
    const dates = input!.InputDates;
    if (!Array.isArray(dates) || dates.length === 0 || dates.length > MAX_DATES_PER_RUN) {
      throw new InvalidInputDateError(`InputDates must be a list of 1 to ${MAX_DATES_PER_RUN} dates`);
    }
    for (const date of dates) asked.set(checkDate(date, 'InputDates'), ASKED_FOR);
    return asked;
  }
  if (!isBlank(input?.From) || !isBlank(input?.To)) {
    const from = checkDate(input?.From, 'From');
    const to = checkDate(input?.To, 'To');
    if (from > to) throw new InvalidInputDateError(`From ${from} is after To ${to}`);
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (days > MAX_DATES_PER_RUN) {
      throw new InvalidInputDateError(`From-To covers ${days} days; one run reports at most ${MAX_DATES_PER_RUN}`);
    }
    for (let i = 0; i < days; i++) asked.set(addDays(from, i), ASKED_FOR);
    return asked;
  }
  if (!isBlank(input?.InputDate)) {
    asked.set(checkDate(input!.InputDate, 'InputDate'), ASKED_FOR);
    return asked;
  }
  const scheduled = typeof input?.ScheduledTime === 'string' ? new Date(input.ScheduledTime) : undefined;
  if (scheduled && Number.isNaN(scheduled.getTime())) {
    throw new InvalidInputDateError('ScheduledTime must be an ISO-8601 time');
  }
  asked.set(yesterdayUtc(scheduled ?? now), scheduled ? 'the day before the schedule fired' : 'yesterday');
  return asked;
}

/** Why `date` needs its report again, or undefined when its report still holds. */
async function staleness(date: string, inventory: ReportInventory): Promise<string | undefined> {
  const [names, read] = await Promise.all([inventory.partitionFiles(date), inventory.reportRead(date)]);
  const files = names.filter(isDataFile);
  if (read === 'none')
    return files.length === 0 ? undefined : `never reported; its partition holds ${count(files.length)}`;
  if (read === 'unknown') return 'its report does not say what it read';
  // An empty partition brought nothing late: its files expired (rawRetentionDays), and the report stands.
  if (files.length === 0) return undefined;
  if (inputDigest(files) === read.digest) return undefined;
  return `its partition holds ${count(files.length)}, its report read ${count(read.files)}: clicks arrived late`;
}

const count = (n: number) => `${n} file${n === 1 ? '' : 's'}`;

export async function planDates(
  input: PlanInput | null | undefined,
  inventory: ReportInventory,
  { lateDays, now = new Date() }: { lateDays: number; now?: Date },
): Promise<DatesPlan> {
  const reasons = askedFor(input, now);
  const latest = [...reasons.keys()].sort().at(-1)!;
  const window = Array.from({ length: lateDays }, (_, i) => addDays(latest, i - lateDays)).filter(
    (date) => !reasons.has(date) && isReportDate(date),
  );
  const stale = await Promise.all(window.map((date) => staleness(date, inventory)));
  window.forEach((date, i) => {
    if (stale[i] !== undefined) reasons.set(date, stale[i]);
  });
  const dates = [...reasons.keys()].sort();
  return {
    InputDates: dates,
    DatesArgument: dates.join(','),
    JobName: `clicklogger-report-${dates[0]}${dates.length > 1 ? `..${dates.at(-1)}` : ''}`,
    Reasons: Object.fromEntries(dates.map((date) => [date, reasons.get(date)!])),
  };
}

/** What a report.json says it read; 'unknown' for a report that does not say (or is not JSON). */
export function readRecordOf(reportJson: string): ReportRead | 'unknown' {
  try {
    const read = (JSON.parse(reportJson) as { read?: { files?: unknown; digest?: unknown } } | null)?.read;
    if (typeof read?.files === 'number' && typeof read.digest === 'string') {
      return { files: read.files, digest: read.digest };
    }
  } catch {
    // A report.json that is not JSON says nothing either.
  }
  return 'unknown';
}

/** The report.json key of `date` in the output bucket. */
export const reportJsonKey = (date: string) => `${reportKeyPrefix(date)}/${REPORT_FILES.json}`;
