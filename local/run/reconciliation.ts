/**
 * The local run's check that no click was lost or counted twice between ingestion and the
 * report: for every reported day, the clicks accepted (the ledger) equal the rows the job read
 * (report.json's read.rows), which equal the clicks counted plus the duplicates dropped.
 */
import { UserError } from '../../core/errors';

export interface DayFigures {
  readonly date: string;
  /** Clicks stored for the day by ingestion, by the ledger. */
  readonly accepted: number;
  /** Rows the report job read from the day's partition. */
  readonly stored: number;
  readonly counted: number;
  readonly duplicates: number;
}

export class ReconciliationError extends UserError {
  constructor(readonly mismatched: readonly DayFigures[]) {
    const days = mismatched.map(
      (d) => `${d.date}: ${d.accepted} accepted, ${d.stored} stored, ${d.counted} counted + ${d.duplicates} duplicates`,
    );
    super(`the figures do not reconcile (${days.join('; ')})`);
    this.name = 'ReconciliationError';
  }
}

/** `2023-02-07, 2023-02-08`, or `12 days, 2023-01-01 to 2023-01-12` for many. */
function daysList(dates: readonly string[]): string {
  if (dates.length <= 4) return dates.join(', ');
  return `${dates.length} days, ${dates[0]} to ${dates.at(-1)}`;
}

/** The reconciliation line; throws ReconciliationError when any day does not add up. */
export function reconcile(days: readonly DayFigures[]): string {
  const mismatched = days.filter((d) => d.accepted !== d.stored || d.stored !== d.counted + d.duplicates);
  if (mismatched.length > 0) throw new ReconciliationError(mismatched);
  const sum = (pick: (d: DayFigures) => number) => days.reduce((n, d) => n + pick(d), 0);
  return (
    `reconciled: ${sum((d) => d.accepted)} accepted = ${sum((d) => d.stored)} stored = ` +
    `${sum((d) => d.counted)} counted + ${sum((d) => d.duplicates)} duplicates (${daysList(days.map((d) => d.date))})`
  );
}
