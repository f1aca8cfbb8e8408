/**
 * Visits and funnels on the DuckDB engine: a day of known funnel depths, a property test against
 * the plain model of the definitions (support/visit-model.ts), late and re-delivered clicks.
 * The Spark job is held to the same bytes by the differential test (engine-parity).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { DEFAULT_FUNNELS, type Funnel } from '../../core/funnels';
import { writeParquet } from '../../local/firehose/parquet';
import { partitionDir, runReport } from '../../report/engine';
import { KNOWN_DEPTHS, knownDepthDay } from '../support/visit-days';
import { modelVisits, type RawClick } from '../support/visit-model';

const DATE = '2023-03-01';
let work: string;
let file = 0;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-visits-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function store(clicks: readonly RawClick[], date = DATE): Promise<void> {
  const rows = clicks.map((c) => ({ ...c, action: 'click', type: 'webpage', clientip: 'APIGWY' }));
  await writeParquet(rows, path.join(partitionDir(path.join(work, 'raw'), date), `part-${file++}.parquet`));
}

async function report(funnels: readonly Funnel[] = DEFAULT_FUNNELS, date = DATE) {
  const [day] = await runReport({
    dates: [date],
    rawDir: path.join(work, 'raw'),
    outDir: path.join(work, 'out'),
    funnels,
  });
  return day;
}

it('counts the visits of a day of known funnel depths as they were built', async () => {
  await store(knownDepthDay(DATE));
  const day = await report();
  const json = JSON.parse(day.json);
  expect(json.funnels).toHaveLength(1);
  const [funnel] = json.funnels;
  expect({ name: funnel.name, callerid: funnel.callerid }).toEqual({ name: 'checkout', callerid: 'Shop' });
  expect(funnel.steps.map((s: { visits: number }) => s.visits)).toEqual(KNOWN_DEPTHS.stepVisits);
  expect(funnel.steps.map((s: { medianMsFromStart: number }) => s.medianMsFromStart)).toEqual(
    KNOWN_DEPTHS.medianMsFromStart,
  );
  expect(json.visits).toEqual([
    expect.objectContaining({
      callerid: 'Shop',
      visits: KNOWN_DEPTHS.visits,
      clicks: KNOWN_DEPTHS.clicks,
      singleClickVisits: KNOWN_DEPTHS.singleClickVisits,
      users: KNOWN_DEPTHS.users,
      // Every visit starts with its search.
      entries: [{ component: 'search', visits: KNOWN_DEPTHS.visits }],
    }),
  ]);
  expect(day.markdown).toContain('| 2. products | 12 | 70.6% | 70.6% | 1.0 s |');
  expect(day.markdown).toContain('| 4. submitorder | 6 | 35.3% | 75.0% | 2.0 s |');
});

it('reflects a late click that completes a funnel when its day is reported again; a re-delivered click changes nothing', async () => {
  const visit = (n: number, component: string, time: string): RawClick => ({
    requestid: `late-${n}`,
    contextid: 'late-visit',
    callerid: 'Shop',
    component,
    user: 'u_1',
    createdtime: `${DATE}T${time}.000Z`,
  });
  await store([visit(1, 'login', '09:00:00'), visit(2, 'products', '09:00:05'), visit(3, 'checkout', '09:00:09')]);
  const before = JSON.parse((await report()).json);
  expect(before.funnels[0].steps.map((s: { visits: number }) => s.visits)).toEqual([1, 1, 1, 0]);

  // The order's click arrives late, in a file of its own.
  await store([visit(4, 'submitorder', '09:00:30')]);
  const after = JSON.parse((await report()).json);
  expect(after.funnels[0].steps.map((s: { visits: number }) => s.visits)).toEqual([1, 1, 1, 1]);
  expect(after.funnels[0].steps[3].medianMsFromStart).toBe(30_000);

  // The same click delivered again, and another copy later still: nothing moves but what was read.
  await store([visit(4, 'submitorder', '09:00:30'), visit(2, 'products', '09:05:00')]);
  const again = JSON.parse((await report()).json);
  expect({ ...again, read: undefined, duplicates: undefined, rows: undefined }).toEqual({
    ...after,
    read: undefined,
    duplicates: undefined,
    rows: undefined,
  });
  expect(again.duplicates).toBe(after.duplicates + 2);
});

// --- Property: the engine against the model ----------------------------------------------

const CALLERS = ['Shop', 'shop', 'Été', '😀'];
const COMPONENTS = ['login', 'products', 'checkout', 'submitorder', 'search', 'Login'];
const click = fc.record({
  requestid: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'),
  contextid: fc.constantFrom('c1', 'c2', 'c3', 'C1', ''),
  callerid: fc.constantFrom(...CALLERS),
  component: fc.constantFrom(...COMPONENTS),
  user: fc.constantFrom('GUEST', 'ann', 'bob', ''),
  // A few seconds of one day, at whole and odd milliseconds, so that ties happen.
  ms: fc.oneof(
    fc.integer({ min: 0, max: 5 }).map((s) => s * 1000),
    fc.integer({ min: 0, max: 5_000 }),
  ),
  // Now and then a click of the day before or after: no part of this day's visits.
  day: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, -1, 1),
});
const funnels = fc.constantFrom<Funnel[]>(
  [...DEFAULT_FUNNELS],
  [
    { name: 'short', steps: ['products', 'login'] },
    { name: 'long', steps: ['search', 'login', 'products', 'checkout', 'submitorder', 'Login'] },
  ],
);

it('gives the figures of the plain model of the definitions, for generated days', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(click, { minLength: 1, maxLength: 60 }), funnels, async (generated, chosen) => {
      fs.rmSync(path.join(work, 'raw'), { recursive: true, force: true });
      const start = Date.parse(`${DATE}T00:00:00.000Z`);
      const clicks = generated.map(({ ms, day, ...rest }) => ({
        ...rest,
        createdtime: new Date(start + day * 86_400_000 + (day === -1 ? 86_399_000 : 0) + ms).toISOString(),
      }));
      await store(clicks);
      const json = JSON.parse((await report(chosen)).json);
      expect({ funnels: json.funnels, visits: json.visits }).toEqual(modelVisits(clicks, DATE, chosen));
    }),
    { numRuns: 60, seed: 20261206 },
  );
});
