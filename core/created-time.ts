/**
 * Normalization of a click's createdtime to UTC ISO-8601 with milliseconds
 * (`2023-02-08T10:00:00.000Z`), so that its first ten characters are the event date.
 */

// ISO-8601 with a mandatory zone: Z or ±HH:MM / ±HHMM. Seconds and fractions are optional.
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;
// `YYYY-MM-DD HH:mm:ss`, taken as UTC.
const SQL_STYLE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
// The seed's legacy `MM-dd-yyyy HH:mm:ss`, taken as UTC.
const SEED_LEGACY = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/** The years a createdtime may fall in: toISOString writes other years in the expanded ±YYYYYY form. */
export const CREATED_TIME_YEARS = { min: 1000, max: 9999 } as const;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offsetMinutes: number;
}

function toUtcIso(p: Parts): string | undefined {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return undefined;
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millis);
  const check = new Date(local);
  // Date.UTC rolls 2023-02-30 over to March; a changed day means the date does not exist.
  if (check.getUTCFullYear() !== p.year || check.getUTCMonth() !== p.month - 1 || check.getUTCDate() !== p.day) {
    return undefined;
  }
  const utc = new Date(local - p.offsetMinutes * 60_000);
  const year = utc.getUTCFullYear();
  if (year < CREATED_TIME_YEARS.min || year > CREATED_TIME_YEARS.max) return undefined;
  return utc.toISOString();
}

const int = (s: string | undefined) => (s === undefined ? 0 : Number.parseInt(s, 10));

/** Date and clock parts, at UTC with no fraction; the ISO form adds its own. */
function clockParts(y: string, mo: string, d: string, h: string, mi: string, s: string): Parts {
  return {
    year: int(y),
    month: int(mo),
    day: int(d),
    hour: int(h),
    minute: int(mi),
    second: int(s),
    millis: 0,
    offsetMinutes: 0,
  };
}

// Already normalized: `2023-02-08T10:00:00.000Z`, the form most producers send.
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const digits = (value: string, at: number, count: number) => {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
};
const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** A value already in the normalized form, checked field by field without building a Date. */
function alreadyNormalized(value: string): boolean {
  if (value.length !== 24 || !CANONICAL.test(value)) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  return (
    year >= CREATED_TIME_YEARS.min &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    digits(value, 11, 2) <= 23 &&
    digits(value, 14, 2) <= 59 &&
    digits(value, 17, 2) <= 59
  );
}

/** Returns the normalized time, or undefined when the value is not one of the accepted forms. */
export function normalizeCreatedTime(value: string): string | undefined {
  if (alreadyNormalized(value)) return value;
  let m = ISO_WITH_ZONE.exec(value);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
    if (!zulu && (int(oh) > 23 || int(om) > 59)) return undefined;
    const offset = zulu ? 0 : (sign === '-' ? -1 : 1) * (int(oh) * 60 + int(om));
    const millis = frac ? int(frac.padEnd(3, '0').slice(0, 3)) : 0;
    return toUtcIso({ ...clockParts(y, mo, d, h, mi, s), millis, offsetMinutes: offset });
  }
  m = SQL_STYLE.exec(value);
  if (m) {
    const [, y, mo, d, h, mi, s] = m;
    return toUtcIso(clockParts(y, mo, d, h, mi, s));
  }
  m = SEED_LEGACY.exec(value);
  if (m) {
    const [, mo, d, y, h, mi, s] = m;
    return toUtcIso(clockParts(y, mo, d, h, mi, s));
  }
  return undefined;
}
