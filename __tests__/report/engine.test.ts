import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Click, eventDate, parseClick } from '../../core/click-schema';
import { writeParquet } from '../../local/firehose/parquet';
import { partitionDir, queryReport, runReport } from '../../report/engine';
import { withDuckDb } from '../../report/duckdb';
import { inputDigest } from '../../core/contracts';
import { DEFAULT_FUNNELS } from '../../core/funnels';
import { comparableReportJson, EXPECTED_DATES, expected, fixtureEvents } from '../support/report-fixtures';
import { storedClick } from '../support/clicks';

let work: string;
let rawDir: string;
let outDir: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-report-'));
  rawDir = path.join(work, 'raw');
  outDir = path.join(work, 'out');
  // The same normalization as ingestion, then Parquet with the Glue schema, by event date.
  const byDate = new Map<string, Click[]>();
  for (const event of fixtureEvents()) {
    const result = parseClick(event, { now: new Date('2023-02-08T00:00:00Z') });
    if (!result.ok) continue;
    const date = eventDate(result.click);
    byDate.set(date, [...(byDate.get(date) ?? []), result.click]);
  }
  for (const [date, clicks] of byDate) {
    // Two files per partition, as Firehose writes one per buffer flush.
    const half = Math.ceil(clicks.length / 2);
    await writeParquet(clicks.slice(0, half), path.join(partitionDir(rawDir, date), 'part-0.parquet'));
    if (clicks.length > half)
      await writeParquet(clicks.slice(half), path.join(partitionDir(rawDir, date), 'part-1.parquet'));
  }
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('golden fixtures', () => {
  it('has an empty day and its neighbours', () => {
    expect(EXPECTED_DATES).toEqual(['2023-02-07', '2023-02-08', '2023-02-09', '2023-02-10']);
  });

  it.each(EXPECTED_DATES)('writes the expected response.md, report.json and report.html for %s', async (date) => {
    const [result] = await runReport({ dates: [date], rawDir, outDir, funnels: DEFAULT_FUNNELS });
    expect(result.markdownPath).toBe(path.join(outDir, ...date.split('-'), 'response.md'));
    expect(fs.readFileSync(result.markdownPath, 'utf8')).toBe(expected(date, 'response.md'));
    expect(comparableReportJson(fs.readFileSync(result.jsonPath, 'utf8'))).toBe(expected(date, 'report.json'));
    expect(result.htmlPath).toBe(path.join(path.dirname(result.markdownPath), 'report.html'));
    expect(fs.readFileSync(result.htmlPath, 'utf8')).toBe(expected(date, 'report.html'));
  });

  it('reports every date of one query exactly as it reports each alone', async () => {
    const apart = await Promise.all(
      EXPECTED_DATES.map(async (date) => (await runReport({ dates: [date], rawDir, outDir }))[0]),
    );
    const together = await runReport({
      dates: [...EXPECTED_DATES].reverse(),
      rawDir,
      outDir: path.join(work, 'together'),
    });
    expect(together.map((r) => [r.date, r.markdown, r.json])).toEqual(apart.map((r) => [r.date, r.markdown, r.json]));
  });
});

it('says what it read for a day: files, rows, the newest file and a digest of their names', async () => {
  const [result] = await runReport({ dates: ['2023-02-08'], rawDir, outDir });
  const dir = partitionDir(rawDir, '2023-02-08');
  const newest = Math.max(
    ...['part-0.parquet', 'part-1.parquet'].map((f) =>
      Number(fs.statSync(path.join(dir, f), { bigint: true }).mtimeNs / 1_000_000n),
    ),
  );
  expect(result.read).toEqual({
    files: 2,
    rows: result.rows.reduce((n, r) => n + r.count + r.duplicates, 0),
    newest: new Date(newest).toISOString(),
    digest: inputDigest(['part-1.parquet', 'part-0.parquet']),
  });
});

it('truncates the newest file’s time to the millisecond, as Hadoop does, even where mtimeMs rounds up', async () => {
  const dir = partitionDir(path.join(work, 'nanos'), '2023-02-08');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(partitionDir(rawDir, '2023-02-08'), 'part-0.parquet'), path.join(dir, 'part-0.parquet'));
  // 358.999999 ms: a double holds the time in milliseconds as ...359.
  execFileSync('touch', ['-d', '@1765077804.358999999', path.join(dir, 'part-0.parquet')]);
  const [result] = await runReport({ dates: ['2023-02-08'], rawDir: path.join(work, 'nanos'), outDir });
  expect(result.read.newest).toBe('2025-12-07T03:23:24.358Z');
});

it('gives the empty report for a partition that does not exist', async () => {
  expect(fs.existsSync(partitionDir(rawDir, '2023-02-10'))).toBe(false);
  const [result] = await runReport({ dates: ['2023-02-10'], rawDir, outDir });
  expect(result.rows).toEqual([]);
  expect(result.read).toEqual({ files: 0, rows: 0, newest: null, digest: inputDigest([]) });
  expect(result.markdown).toContain('No clicks on 2023-02-10.');
});

it('excludes rows of a partition whose createdtime is on another day', async () => {
  const dir = path.join(work, 'misfiled');

  await writeParquet(
    [storedClick('2023-02-08T01:00:00.000Z'), storedClick('2023-02-07T23:00:00.000Z')] as Record<string, string>[],
    path.join(partitionDir(dir, '2023-02-08'), 'f.parquet'),
  );
  expect(await queryReport('2023-02-08', dir)).toEqual([
    { createdTime: '2023-02-08', callerid: 'App', component: 'x', count: 1, duplicates: 0 },
  ]);
});

it('overwrites on rerun, so reruns are idempotent', async () => {
  const [first] = await runReport({ dates: ['2023-02-08'], rawDir, outDir });
  fs.writeFileSync(first.markdownPath, 'stale');
  const [second] = await runReport({ dates: ['2023-02-08'], rawDir, outDir });
  expect(fs.readFileSync(second.markdownPath, 'utf8')).toBe(first.markdown);
  expect(fs.readdirSync(path.dirname(second.markdownPath)).sort()).toEqual([
    'report.html',
    'report.json',
    'response.md',
  ]);
});

it('names the corrupt Parquet file in its error', async () => {
  const dir = path.join(work, 'corrupt');
  const bad = path.join(partitionDir(dir, '2023-02-08'), 'broken.parquet');
  fs.mkdirSync(path.dirname(bad), { recursive: true });
  fs.writeFileSync(bad, 'PAR1 this is not parquet');
  await expect(queryReport('2023-02-08', dir)).rejects.toThrow(`cannot read Parquet file ${bad}`);
});

it.each(['2023-02-*', '2023-02-30', '../x', ''])('refuses the report date %j', async (date) => {
  await expect(queryReport(date, rawDir)).rejects.toThrow(`invalid report date "${date}": use YYYY-MM-DD`);
});

it('ignores Hadoop marker and hidden files in a partition', async () => {
  const dir = partitionDir(rawDir, '2023-02-07');
  fs.writeFileSync(path.join(dir, '_SUCCESS'), '');
  fs.writeFileSync(path.join(dir, '.hidden'), 'junk');
  expect(await queryReport('2023-02-07', rawDir)).toHaveLength(1);
});

it('interrupts a running query when its signal aborts', async () => {
  const controller = new AbortController();
  // A query that would run for minutes; the abort must end it.
  const query = withDuckDb(
    (db) => db.run('SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3'),
    controller.signal,
  );
  setTimeout(() => controller.abort(new Error('stop')), 200);
  await expect(query).rejects.toThrow(/INTERRUPT/i);
});

describe('edges of a day', () => {
  let edge: string;
  beforeEach(() => (edge = fs.mkdtempSync(path.join(work, 'edge-'))));

  it('counts the clicks of 9999-12-31, the last date', async () => {
    const raw = path.join(edge, 'raw');
    const click = storedClick('9999-12-31T23:59:59.999Z', { component: 'login' }) as Record<string, string>;
    await writeParquet([click], path.join(partitionDir(raw, '9999-12-31'), 'part-0.parquet'));

    const rows = await queryReport('9999-12-31', raw);

    expect(rows.map((r) => [r.component, r.count])).toEqual([['login', 1]]);
  });

  it.each([
    ['products first', ['products', 'checkout']],
    ['checkout first', ['checkout', 'products']],
  ])(
    'gives a click delivered twice in the same millisecond to the smallest component, as Spark does (%s)',
    async (_, order) => {
      const raw = path.join(edge, 'raw');
      const stamp = '2023-02-08T10:00:00.000Z';
      // Many clicks, each delivered once per component, one file per component: whichever copy
      // the engine meets first must not decide the group.
      for (const [i, component] of order.entries()) {
        const copies = Array.from(
          { length: 2000 },
          (_, n) => storedClick(stamp, { requestid: `r${n}`, component }) as Record<string, string>,
        );
        await writeParquet(copies, path.join(partitionDir(raw, '2023-02-08'), `part-${i}.parquet`));
      }

      const rows = await queryReport('2023-02-08', raw);

      expect(rows.map((r) => [r.component, r.count, r.duplicates])).toEqual([['checkout', 2000, 2000]]);
    },
  );

  it('writes report.json last, so a failed HTML write leaves the day to be reported again', async () => {
    const raw = path.join(edge, 'raw');
    const out = path.join(edge, 'out');
    await writeParquet(
      [storedClick('2023-02-08T10:00:00.000Z') as Record<string, string>],
      path.join(partitionDir(raw, '2023-02-08'), 'p.parquet'),
    );
    // A folder where report.html goes: the rename onto it fails.
    fs.mkdirSync(path.join(out, '2023', '02', '08', 'report.html'), { recursive: true });

    await expect(runReport({ dates: ['2023-02-08'], rawDir: raw, outDir: out })).rejects.toThrow();

    expect(fs.existsSync(path.join(out, '2023', '02', '08', 'report.json'))).toBe(false);
  });
});
