/**
 * First step of the report workflow: validates `InputDate`, or defaults it to
 * yesterday (UTC) when absent. The pattern check keeps glob characters out of S3 paths.
 */
import { InvalidInputDateError } from '../shared/errors';
import { isReportDate, yesterdayUtc } from '../shared/report-date';

export interface ResolveDateInput {
  InputDate?: unknown;
}

export function resolveDate(input: ResolveDateInput | null | undefined, now: Date = new Date()): { InputDate: string } {
  const date = input?.InputDate;
  if (date === undefined || date === null || date === '') return { InputDate: yesterdayUtc(now) };
  if (!isReportDate(date)) {
    throw new InvalidInputDateError('InputDate must be a real date written YYYY-MM-DD');
  }
  return { InputDate: date };
}

export const handler = async (event: ResolveDateInput | null): Promise<{ InputDate: string }> => resolveDate(event);
