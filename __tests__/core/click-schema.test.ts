import fc from 'fast-check';
import { CLICK_FIELDS, DEFAULT_USER, parseClick, UNKNOWN_CLIENT_IP } from '../../core/click-schema';
import { normalizeCreatedTime } from '../../core/created-time';
import { only, synth } from '../support/synth';

const now = new Date('2023-02-08T12:34:56.789Z');
const base = { requestid: 'r', contextid: 'c', callerid: 'App', component: 'login', action: 'load', type: 'webpage' };
const errorsOf = (raw: unknown) => {
  const result = parseClick(raw, { now });
  if (result.ok) throw new Error('expected a rejection');
  return result.errors;
};

describe('createdtime normalization', () => {
  it.each([
    ['2023-02-08T10:00:00Z', '2023-02-08T10:00:00.000Z'],
    ['2023-02-08T10:00:00.5Z', '2023-02-08T10:00:00.500Z'],
    ['2023-02-08T10:00:00.123456789Z', '2023-02-08T10:00:00.123Z'],
    ['2023-02-08T10:00Z', '2023-02-08T10:00:00.000Z'],
    ['2023-02-08T23:30:00-02:00', '2023-02-09T01:30:00.000Z'],
    ['2023-02-09T00:30:00+0100', '2023-02-08T23:30:00.000Z'],
    ['2023-02-08T10:00:00+05:30', '2023-02-08T04:30:00.000Z'],
    ['2023-02-08 10:00:00', '2023-02-08T10:00:00.000Z'],
    ['02-08-2023 10:00:00', '2023-02-08T10:00:00.000Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeCreatedTime(input)).toBe(expected);
  });

  it.each([
    '2023-02-30 10:00:00',
    '2023-02-29T00:00:00Z',
    '02-30-2023 10:00:00',
    '2023-13-01T00:00:00Z',
    '2023-02-08T24:00:00Z',
    '2023-02-08T10:60:00Z',
    '2023-02-08T10:00:60Z',
    '2023-02-08T10:00:00', // no zone: ambiguous
    '2023-02-08T10:00:00+25:00',
    '2023-02-08',
    '1675850400000',
    'yesterday',
    '0999-01-01T00:00:00Z',
    '9999-12-31T23:00:00-02:00', // rolls into year 10000
    ' 2023-02-08 10:00:00',
    '２０２３-02-08 10:00:00',
  ])('rejects %j', (input) => {
    expect(normalizeCreatedTime(input)).toBeUndefined();
  });
});

describe('parseClick', () => {
  it('accepts the seed payload unchanged and fills the defaults', () => {
    expect(parseClick(base, { now })).toEqual({
      ok: true,
      click: { ...base, user: DEFAULT_USER, clientip: UNKNOWN_CLIENT_IP, createdtime: '2023-02-08T12:34:56.789Z' },
    });
  });

  it('defaults clientip to the HTTP source address', () => {
    const result = parseClick(base, { now, sourceIp: '203.0.113.9' });
    expect(result.ok && result.click.clientip).toBe('203.0.113.9');
  });

  it('keeps given optional values and drops unknown fields', () => {
    const result = parseClick(
      { ...base, user: 'alice', clientip: '10.0.0.1', createdtime: '2023-02-08 01:02:03', extra: 1 },
      { now },
    );
    expect(result).toEqual({
      ok: true,
      click: { ...base, user: 'alice', clientip: '10.0.0.1', createdtime: '2023-02-08T01:02:03.000Z' },
    });
  });

  it('puts the fields in schema order', () => {
    const { type, ...rest } = base;
    const result = parseClick({ type, ...rest }, { now });
    expect(result.ok && Object.keys(result.click)).toEqual(CLICK_FIELDS.map((f) => f.name));
  });

  it('rejects a non-string value instead of coercing it', () => {
    expect(errorsOf({ ...base, callerid: 42 })).toEqual(['callerid: must be a string']);
    expect(errorsOf({ ...base, user: null })).toEqual(['user: must be a string']);
  });

  it('names every missing or blank required field', () => {
    const { requestid: _r, ...missing } = base;
    expect(errorsOf({ ...missing, action: '  ' })).toEqual([
      'requestid: must be a string',
      'action: must not be blank',
    ]);
  });

  it('caps values in bytes, not characters', () => {
    const cap = CLICK_FIELDS.find((f) => f.name === 'type')!.maxBytes;
    expect(parseClick({ ...base, type: 'a'.repeat(cap) }, { now }).ok).toBe(true);
    // "é" is one character but two bytes.
    expect(errorsOf({ ...base, type: 'é'.repeat(cap / 2 + 1) })).toEqual([
      `type: is ${cap + 2} bytes, over the ${cap}-byte limit`,
    ]);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['C1 control', 'a\u0085b'],
    ['RTL override', 'a\u202eb'],
    ['zero-width space', 'a\u200bb'],
    ['byte-order mark', '\ufeffab'],
  ])('rejects a %s', (_name, value) => {
    expect(errorsOf({ ...base, component: value })).toEqual([
      'component: contains a control or invisible formatting character',
    ]);
  });

  it('rejects lone surrogates', () => {
    expect(errorsOf({ ...base, component: 'a\ud800b' })).toEqual([
      'component: contains a lone surrogate (not valid Unicode)',
    ]);
  });

  it('allows tab, newline, emoji with joiners, and non-Latin scripts', () => {
    const result = parseClick({ ...base, component: 'a\tb\nc 👩‍👩‍👧 ناشر 日本' }, { now });
    expect(result.ok).toBe(true);
  });

  it('rejects impossible createdtime values with the accepted forms in the message', () => {
    expect(errorsOf({ ...base, createdtime: '2023-02-30 10:00:00' })[0]).toMatch(
      /^createdtime: not a valid time \(use ISO-8601/,
    );
  });

  it('never echoes the value in its errors', () => {
    const secret = 'TOPSECRET-'.repeat(100);
    expect(errorsOf({ ...base, callerid: secret }).join(' ')).not.toContain('TOPSECRET');
  });

  it.each([[null], [[base]], ['click'], [7]])('rejects %j as not an object', (raw) => {
    expect(errorsOf(raw)).toEqual(['event must be a JSON object']);
  });
});

describe('contract with the Glue table', () => {
  it('validates exactly the columns of the synthesized Glue table, in order', () => {
    const table = only(synth(), 'aws_glue_catalog_table');
    const result = parseClick(base, { now });
    expect(result.ok && Object.keys(result.click)).toEqual(
      table.storage_descriptor.columns.map((c: { name: string }) => c.name),
    );
  });
});

describe('an already-normalized createdtime', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  // Every field over and past its range: months 0-13, days 0-32, hours 0-24, ...
  const shaped = fc
    .tuple(
      fc.integer({ min: 990, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(
      ([y, mo, d, h, mi, s, ms]) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`,
    );

  it('is kept exactly when it is a real instant, and refused otherwise, as a Date reads it', () => {
    fc.assert(
      fc.property(shaped, (value) => {
        const date = new Date(value);
        const real = !Number.isNaN(date.getTime()) && date.toISOString() === value && date.getUTCFullYear() >= 1000;
        expect(normalizeCreatedTime(value)).toBe(real ? value : undefined);
      }),
      { numRuns: 5_000, seed: 20261130 },
    );
  });

  it.each(['2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z'])('keeps the leap day %s', (value) => {
    expect(normalizeCreatedTime(value)).toBe(value);
  });

  it.each(['2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2023-04-31T00:00:00.000Z'])(
    'refuses the missing day %s',
    (value) => {
      expect(normalizeCreatedTime(value)).toBeUndefined();
    },
  );
});

describe('the clock-skew limit', () => {
  // Instants from year 1000 to 9999, and receipt times and limits that reach past either end.
  const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const instant = fc.integer({ min: Date.UTC(1000, 0, 1), max: last });
  const received = fc.oneof(instant, fc.integer({ min: Date.UTC(9999, 0, 1), max: Date.UTC(20000, 0, 1) }));
  const skew = fc.oneof(fc.constantFrom(0, 1, 300_000), fc.integer({ min: 0, max: 86_400_000 }));

  it('refuses exactly the createdtimes later than receipt plus the limit, as their instants compare', () => {
    fc.assert(
      fc.property(instant, received, skew, fc.integer({ min: -2, max: 2 }), (at, receivedAt, maxClockSkewMs, nudge) => {
        // Half the cases sit on the bound itself, give or take a millisecond, where it is a valid time.
        const near = receivedAt + maxClockSkewMs + nudge;
        const when = at % 2 === 0 && near <= last ? near : at;
        const createdtime = new Date(when).toISOString();
        const result = parseClick({ ...base, createdtime }, { now: new Date(receivedAt), maxClockSkewMs });
        expect(result.ok).toBe(when <= receivedAt + maxClockSkewMs);
      }),
      { numRuns: 5_000, seed: 20261130 },
    );
  });
});
