/**
 * First step of the report workflow: validates `InputDate`, or defaults it to the day (UTC)
 * before `ScheduledTime` (which the daily schedule passes) or before now.
 * The pattern check keeps glob characters out of S3 paths.
 */
import { InvalidInputDateError } from '../shared/errors';
import { isReportDate, yesterdayUtc } from '../shared/report-date';

export interface ResolveDateInput {
  InputDate?: unknown;
  /** ISO time the schedule fired; a late or retried run still reports the day before it. */
  ScheduledTime?: unknown;
}

export function resolveDate(input: ResolveDateInput | null | undefined, now: Date = new Date()): { InputDate: string } {
  const date = input?.InputDate;
  if (date === undefined || date === null || date === '') {
    const scheduled = typeof input?.ScheduledTime === 'string' ? new Date(input.ScheduledTime) : undefined;
    if (scheduled && Number.isNaN(scheduled.getTime())) {
      throw new InvalidInputDateError('ScheduledTime must be an ISO-8601 time');
    }
    return { InputDate: yesterdayUtc(scheduled ?? now) };
  }
  if (typeof date !== 'string' || !isReportDate(date)) {
    throw new InvalidInputDateError('InputDate must be a real date written YYYY-MM-DD');
  }
  return { InputDate: date };
}

export const handler = async (event: ResolveDateInput | null): Promise<{ InputDate: string }> => resolveDate(event);
