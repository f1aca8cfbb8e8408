/**
 * How the report writes visit figures, in integers only, so that spark/report_visits.py writes
 * the same characters: percentages to a tenth (half up), times from milliseconds.
 */

/** What a cell shows for no figure. */
export const NONE = '–';

/** `part` of `whole` as a percentage to one decimal, rounded half up ("66.7%"); "–" without a whole. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return NONE;
  const tenths = Math.floor((part * 2000 + whole) / (2 * whole));
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

/** A time in milliseconds, truncated: "4.2 s", "3 min 7 s", "2 h 5 min"; "–" for none. */
export function duration(ms: number | null): string {
  if (ms === null) return NONE;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.floor((ms % 3_600_000) / 60_000)} min`;
}
