/** What `clicklogger erase` shares between a local folder and a deployed stage: the person, the range, the question. */
import { createInterface } from 'node:readline/promises';
import { isReportDate } from '../core/report-date';
import type { DateRange } from '../core/erasure';
import { usageError } from './errors';
import type { Io } from './io';

export interface ErasePerson {
  readonly kind: 'user' | 'contextid';
  readonly value: string;
}

export function rangeOf(from: string | undefined, to: string | undefined): DateRange {
  for (const [flag, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (value !== undefined && !isReportDate(value))
      throw usageError(`${flag} must be a date written YYYY-MM-DD, got "${value}"`);
  }
  if (from && to && from > to) throw usageError(`--from ${from} is after --to ${to}`);
  return { from, to };
}

/** ` from 2023-02-07 to the last`, or nothing for the whole of the data. */
export function rangeText(range: DateRange): string {
  return range.from || range.to ? ` from ${range.from ?? 'the first day'} to ${range.to ?? 'the last'}` : '';
}

export async function confirmed(io: Io, question: string): Promise<boolean> {
  if (!io.tty || !process.stdin.isTTY) {
    throw usageError(`${question.replace(/\?$/, '')}: add --yes to confirm (there is no terminal to ask on)`);
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}
