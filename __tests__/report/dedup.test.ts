/**
 * Each click counted once per report day. A click is (callerid, requestid); a property test
 * delivers clicks again in every way it happens (a byte-identical copy, a copy re-stamped later
 * that day, the same request id under another caller, which is another click) and compares the
 * report with a model that counts distinct clicks. engine-parity.integration.test.ts holds Spark
 * to the same bytes. The same property holds with hashes of one and of two values, which force
 * every click, or half of them, down day_clicks.sql's exact path: a collision never changes a count.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { writeParquet } from '../../local/firehose/parquet';
import { partitionDir, queryReport, queryReports } from '../../report/engine';

const DAY = '2023-02-08';
const DAY_MS = Date.parse(`${DAY}T00:00:00.000Z`);
let work: string;
beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-dedup-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

type Row = Record<string, string>;

const clickArb = fc.record({
  caller: fc.constantFrom('App', 'app', 'Shop|1', 'Zürich'),
  component: fc.constantFrom('login', 'cart', 'checkout', '🛒'),
  /** Milliseconds into the day. */
  at: fc.integer({ min: 0, max: 86_400_000 - 120_000 }),
});

/** How one click is delivered again. */
const copyArb = fc.oneof(
  fc.constant({ kind: 'identical' as const }),
  fc.record({ kind: fc.constant('restamped' as const), laterMs: fc.integer({ min: 1, max: 100_000 }) }),
  fc.constant({ kind: 'other-caller' as const }),
);

const planArb = fc.record({
  clicks: fc.array(clickArb, { minLength: 1, maxLength: 40 }),
  copies: fc.array(fc.tuple(fc.nat(), copyArb), { maxLength: 30 }),
  files: fc.integer({ min: 1, max: 3 }),
  order: fc.nat(),
});

function row(n: number, caller: string, component: string, atMs: number): Row {
  return {
    requestid: `req-${n}`,
    contextid: `ctx-${n}`,
    callerid: caller,
    component,
    action: 'click',
    type: 'webpage',
    user: 'GUEST',
    clientip: 'APIGWY',
    createdtime: new Date(DAY_MS + atMs).toISOString(),
  };
}

/** The report a correct deduplication gives: distinct (callerid, requestid) per caller and component. */
function model(rows: readonly Row[]) {
  const clicks = new Map<string, Row>();
  const deliveries = new Map<string, number>();
  for (const r of rows) {
    const id = JSON.stringify([r.callerid, r.requestid]);
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    const first = clicks.get(id);
    if (!first || r.createdtime < first.createdtime) clicks.set(id, r);
  }
  const groups = new Map<string, { count: number; duplicates: number }>();
  for (const [id, click] of clicks) {
    const key = JSON.stringify([click.callerid, click.component]);
    const group = groups.get(key) ?? { count: 0, duplicates: 0 };
    group.count += 1;
    group.duplicates += deliveries.get(id)! - 1;
    groups.set(key, group);
  }
  return [...groups]
    .map(([key, { count, duplicates }]) => {
      const [callerid, component] = JSON.parse(key) as [string, string];
      return { createdTime: DAY, callerid, component, count, duplicates };
    })
    .sort((a, b) =>
      Buffer.compare(Buffer.from(`${a.callerid}\0${a.component}`), Buffer.from(`${b.callerid}\0${b.component}`)),
    );
}

it('counts every click once, whatever was delivered again, and says how many copies it dropped', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(planArb, async (plan) => {
      const rows = plan.clicks.map((c, n) => row(n, c.caller, c.component, c.at));
      for (const [pick, copy] of plan.copies) {
        const original = rows[pick % plan.clicks.length];
        if (copy.kind === 'identical') rows.push({ ...original });
        if (copy.kind === 'restamped') {
          rows.push({
            ...original,
            createdtime: new Date(Date.parse(original.createdtime) + copy.laterMs).toISOString(),
          });
        }
        if (copy.kind === 'other-caller') rows.push({ ...original, callerid: `${original.callerid}-other` });
      }
      // Delivery order is anyone's: rotate the rows, then spread them over files.
      const shift = plan.order % rows.length;
      const delivered = [...rows.slice(shift), ...rows.slice(0, shift)];
      const rawDir = path.join(work, `run-${run++}`);
      const files: Row[][] = Array.from({ length: plan.files }, () => []);
      delivered.forEach((r, i) => files[i % plan.files].push(r));
      for (const [f, part] of files.entries()) {
        if (part.length > 0) await writeParquet(part, path.join(partitionDir(rawDir, DAY), `part-${f}.parquet`));
      }
      const expected = model(delivered);
      expect(await queryReport(DAY, rawDir)).toEqual(expected);
      for (const tinyHash of ['(hash($1) * 0)', '(hash($1) % 2)']) {
        const colliding = await queryReports([DAY], rawDir, undefined, [], tinyHash);
        expect(colliding.get(DAY)!.rows).toEqual(expected);
      }
    }),
    { numRuns: 60 },
  );
}, 120_000);

it('counts a click again on another day: duplicates are dropped within a report day', async () => {
  const rawDir = path.join(work, 'two-days');
  const first = row(1, 'App', 'login', 60_000);
  const nextDay = { ...first, createdtime: '2023-02-09T08:00:00.000Z' };
  await writeParquet([first, { ...first }], path.join(partitionDir(rawDir, DAY), 'a.parquet'));
  await writeParquet([nextDay], path.join(partitionDir(rawDir, '2023-02-09'), 'b.parquet'));
  expect(await queryReport(DAY, rawDir)).toEqual([
    { createdTime: DAY, callerid: 'App', component: 'login', count: 1, duplicates: 1 },
  ]);
  expect(await queryReport('2023-02-09', rawDir)).toEqual([
    { createdTime: '2023-02-09', callerid: 'App', component: 'login', count: 1, duplicates: 0 },
  ]);
});
