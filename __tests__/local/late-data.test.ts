/**
 * Late clicks, `--keep` and the reconciliation line, through `clicklogger local`: a day is
 * reported; late clicks for it arrive with the next day's; a third run adds a day and rewrites
 * neither earlier one. Every run's figures reconcile, and a broken ledger is an error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { partitionDir } from '../../report/engine';
import { addToLedger, LEDGER_FILE } from '../../local/run/ledger';
import { writeParquet } from '../../local/firehose/parquet';
import { runLocalPipeline } from '../../local/run/local-pipeline';
import { captureIo } from '../support/io';
import { storedClick } from '../support/clicks';

const OUTPUT = 'us-east-1-clicklogger-dev-loggregator-output-000000000000';
const RAW = 'us-east-1-clicklogger-dev-firehose-delivery-000000000000';
const D = '2023-02-08';
const D1 = '2023-02-09';
const D2 = '2023-02-10';

let work: string;
let out: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-late-'));
  out = path.join(work, 'out');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** `n` clicks on `date` from `caller`, as an events file. */
function clicks(date: string, n: number, caller = 'App', hour = 10): Record<string, string>[] {
  return Array.from({ length: n }, (_, i) => ({
    requestid: `${caller}-${date}-${hour}-${i}`,
    contextid: 'ctx',
    callerid: caller,
    component: 'cart',
    action: 'click',
    type: 'webpage',
    createdtime: `${date}T${String(hour).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}.000Z`,
  }));
}

function eventsFile(name: string, events: unknown[]): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
}

const reportDir = (date: string) => path.join(out, OUTPUT, ...date.split('-'));
const reportJson = (date: string) =>
  JSON.parse(fs.readFileSync(path.join(reportDir(date), 'report.json'), 'utf8')) as {
    total: number;
    duplicates: number;
    read: { files: number; rows: number };
  };
/** The report files of `date` as bytes and modification times: equal snapshots, not rewritten. */
function snapshot(date: string) {
  return ['response.md', 'report.json'].map((name) => {
    const file = path.join(reportDir(date), name);
    return { name, bytes: fs.readFileSync(file, 'utf8'), mtimeMs: fs.statSync(file).mtimeMs };
  });
}

async function local(args: string[]) {
  const io = captureIo();
  const code = await main(['local', ...args, '--out', out], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('late clicks with --keep (the scenario of the README)', () => {
  it('re-reports a day when late clicks arrive, says why, and leaves unchanged days alone', async () => {
    // 1. Day D is reported.
    const first = await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    expect(first).toMatchObject({ code: 0, stderr: [] });
    expect(first.stdout).toContain(`reported ${D}`);
    expect(first.stdout).toContain(`reconciled: 5 accepted = 5 stored = 5 counted + 0 duplicates (${D})`);
    expect(reportJson(D).total).toBe(5);

    // 2. Late clicks for D (one of them delivered twice) arrive with D+1's, and D+1 is reported.
    const late = [...clicks(D, 3, 'Offline', 23), clicks(D, 1, 'Offline', 23)[0], ...clicks(D1, 4)];
    const second = await local(['--keep', '--events', eventsFile('late.jsonl', late), '--date', D1]);
    expect(second).toMatchObject({ code: 0, stderr: [] });
    expect(second.stdout).toContain(`reported ${D1}`);
    expect(second.stdout).toContain(
      `also reported ${D}: its partition holds 2 files, its report read 1 file: clicks arrived late`,
    );
    expect(second.stdout).toContain(`reconciled: 13 accepted = 13 stored = 12 counted + 1 duplicates (${D}, ${D1})`);
    expect(reportJson(D)).toMatchObject({ total: 8, duplicates: 1, read: { files: 2, rows: 9 } });
    expect(fs.readFileSync(path.join(reportDir(D), 'response.md'), 'utf8')).toContain(
      '8 clicks in 2 groups; 1 duplicate delivery not counted.',
    );
    const dBefore = snapshot(D);
    const d1Before = snapshot(D1);

    // 3. Only D+2's clicks: neither D nor D+1 is rewritten.
    const third = await local(['--keep', '--events', eventsFile('d2.jsonl', clicks(D2, 2))]);
    expect(third).toMatchObject({ code: 0, stderr: [] });
    expect(third.stdout).toContain(`reported ${D2}`);
    expect(third.stdout.some((l) => l.startsWith('also reported'))).toBe(false);
    expect(third.stdout).toContain(`reconciled: 2 accepted = 2 stored = 2 counted + 0 duplicates (${D2})`);
    expect(snapshot(D)).toEqual(dBefore);
    expect(snapshot(D1)).toEqual(d1Before);
  });

  it('starts empty without --keep, as before', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    const again = await local(['--events', eventsFile('d1.jsonl', clicks(D1, 2))]);
    expect(again.code).toBe(0);
    expect(fs.existsSync(reportDir(D))).toBe(false);
    expect(again.stdout).toContain(`reconciled: 2 accepted = 2 stored = 2 counted + 0 duplicates (${D1})`);
  });
});

describe('every date of an events file', () => {
  it('reports each date that holds valid events, in one job run, without --date', async () => {
    const events = [...clicks(D, 2), ...clicks(D2, 3), { callerid: 'no request id' }];
    const run = await local(['--events', eventsFile('days.jsonl', events)]);
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout).toContain(
      `clicklogger local: ${path.join(work, 'days.jsonl')}, reporting every date it holds, output in ${out}`,
    );
    // Two days that do not follow one another: listed, not called a range.
    expect(run.stdout).toContain(`reported ${D}, ${D2}`);
    expect(run.stdout.filter((l) => l.startsWith('report job (duckdb): '))).toHaveLength(1);
    expect(run.stdout).toContain(`# Click report for ${D}`);
    expect(run.stdout).toContain(`# Click report for ${D2}`);
    expect(fs.existsSync(reportDir(D1))).toBe(false);
  });
});

describe('clicks from the future', () => {
  it('refuses a createdtime beyond the clock-skew limit, names the rule, and takes the rest', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const events = [
      ...clicks(D, 2),
      { ...clicks(D, 1, 'Fast')[0], createdtime: soon },
      { ...clicks(D, 1, 'Future')[0], createdtime: tomorrow },
    ];
    const run = await local(['--events', eventsFile('future.jsonl', events), '--date', D]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ingested: 3 accepted, 1 rejected, 0 failed (of 4)');
    expect(run.stdout).toContain(
      '  rejected ×1: createdtime: in the future, more than 300s after it was received (the clock-skew limit) (line 4)',
    );
  });
});

describe('bad inputs and faults', () => {
  it('counts a file that lands before the job lists the partition in that report, and one after in the next', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    const raw = path.join(out, RAW);
    // Written as the local Firehose would, and entered in the ledger as it would.
    const land = async (name: string, rows: Record<string, unknown>[]) => {
      await writeParquet(rows as Record<string, string>[], path.join(partitionDir(raw, D), name));
      await addToLedger(out, new Map([[D, rows.length]]));
    };
    const result = await runLocalPipeline({
      dates: [D1],
      events: [clicks(D1, 1)],
      outDir: out,
      keep: true,
      beforeReport: () => land('before-listing.parquet', [storedClick(`${D}T12:00:00.000Z`)]),
    });
    expect(result.reports?.map((r) => [r.date, r.figures.counted])).toEqual([
      [D, 6],
      [D1, 1],
    ]);
    // After the job has read: its time is older than anything the report read (within the raw
    // data's retention, which would remove it), and still it is seen.
    await land('after-listing.parquet', [storedClick(`${D}T13:00:00.000Z`)]);
    const old = new Date(Date.now() - 30 * 86_400_000);
    fs.utimesSync(path.join(partitionDir(raw, D), 'after-listing.parquet'), old, old);
    const next = await local(['--keep', '--events', eventsFile('d1.jsonl', clicks(D1, 1, 'Other'))]);
    expect(next.code).toBe(0);
    expect(next.stdout).toContain(
      `also reported ${D}: its partition holds 3 files, its report read 2 files: clicks arrived late`,
    );
    expect(reportJson(D).total).toBe(7);
  });

  it('lets one of two --keep runs into one folder in, and refuses the other in one line', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    const [a, b] = await Promise.all([
      local(['--keep', '--events', eventsFile('a.jsonl', clicks(D1, 2, 'A'))]),
      local(['--keep', '--events', eventsFile('b.jsonl', clicks(D1, 3, 'B'))]),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    const refused = a.code === 1 ? a : b;
    expect(refused.stderr).toEqual([expect.stringMatching(/is in use by another clicklogger run/)]);
    const after = await local(['--keep', '--events', eventsFile('c.jsonl', clicks(D1, 1, 'C')), '--date', D1]);
    expect(after.code).toBe(0);
    const stored = a.code === 0 ? 2 : 3;
    expect(after.stdout).toContain(
      `reconciled: ${stored + 1} accepted = ${stored + 1} stored = ${stored + 1} counted + 0 duplicates (${D1})`,
    );
  });

  it('keeps the earlier data when a --keep run is interrupted, and the next run still reconciles', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    const before = snapshot(D);
    const stop = new AbortController();
    const interrupted = runLocalPipeline({
      dates: [D1],
      events: [clicks(D, 2, 'Late'), clicks(D1, 2)],
      outDir: out,
      keep: true,
      signal: stop.signal,
      // Stopped once the new files are stored, before the job runs.
      beforeReport: () => {
        stop.abort(new Error('interrupted'));
        return Promise.resolve();
      },
    });
    await expect(interrupted).rejects.toThrow('interrupted');
    expect(snapshot(D)).toEqual(before);
    const next = await local(['--keep', '--events', eventsFile('d1.jsonl', clicks(D1, 1, 'Other'))]);
    expect(next.code).toBe(0);
    expect(next.stdout).toContain(`reconciled: 10 accepted = 10 stored = 10 counted + 0 duplicates (${D}, ${D1})`);
  });

  it('fails, in one line, when the figures do not reconcile', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    // A file that no run stored: the ledger does not know it.
    await writeParquet(
      [storedClick(`${D}T12:00:00.000Z`)] as never,
      path.join(partitionDir(path.join(out, RAW), D), 'stray.parquet'),
    );
    const run = await local(['--keep', '--events', eventsFile('d1.jsonl', clicks(D1, 1)), '--date', D1]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `clicklogger: the figures do not reconcile (${D}: 5 accepted, 6 stored, 6 counted + 0 duplicates)`,
    ]);
  });

  it('refuses a ledger that is not its own, and says how to start afresh', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    fs.writeFileSync(path.join(out, LEDGER_FILE), '{"accepted":{"2023-02-08":-1}}');
    const run = await local(['--keep', '--events', eventsFile('d1.jsonl', clicks(D1, 1))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `clicklogger: ${path.join(out, LEDGER_FILE)} has a bad entry "2023-02-08": -1; run without --keep to start the output folder afresh`,
    ]);
    // Refused before the run stored anything: no partition of D1.
    expect(fs.existsSync(partitionDir(path.join(out, RAW), D1))).toBe(false);
  });

  it('names a ledger that is a folder, not a file, before storing anything', async () => {
    await local(['--events', eventsFile('d.jsonl', clicks(D, 5))]);
    fs.rmSync(path.join(out, LEDGER_FILE));
    fs.mkdirSync(path.join(out, LEDGER_FILE));
    const run = await local(['--keep', '--events', eventsFile('d1.jsonl', clicks(D1, 1))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `clicklogger: ${path.join(out, LEDGER_FILE)} is a folder, not a file; run without --keep to start the output folder afresh`,
    ]);
    expect(fs.existsSync(partitionDir(path.join(out, RAW), D1))).toBe(false);
  });
});
