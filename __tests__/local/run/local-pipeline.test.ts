/** `clicklogger local` end to end on the golden fixtures. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../cli/main';
import { partitionDir } from '../../../report/engine';
import { localIngestionSettings } from '../../../local/run/local-config';
import { runLocalPipeline } from '../../../local/run/local-pipeline';
import { stackIngestionSettings, synthesizeLocalStack } from '../../../local/run/synthesized-stack';
import { samplesOn, SEED_SAMPLES } from '../../../local/input/samples';
import { comparableReportJson, EVENTS_FILE, EXPECTED_DATES, expected } from '../../support/report-fixtures';
import { captureIo } from '../../support/io';

let out: string;
beforeEach(() => (out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-local-'))));
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

/** The report of `date` as printed: the lines after its `report:` line, up to the next one. */
function printedReport(stdout: string[], date: string): string {
  const at = stdout.findIndex(
    (line) => line.startsWith('report: ') && line.endsWith(`${date.replaceAll('-', '/')}/response.md`),
  );
  if (at < 0) throw new Error(`no report of ${date} was printed`);
  const end = stdout.findIndex((line, i) => i > at && (line.startsWith('report: ') || line.startsWith('written: ')));
  const lines = stdout.slice(at + 2, end < 0 ? undefined : end);
  while (lines.at(-1) === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

it('starts ingesting an events file with the settings the synthesized stack deploys', () => {
  // The run checks this again each time; here it is held for the default stage.
  const stack = synthesizeLocalStack();
  expect(localIngestionSettings()).toEqual(stackIngestionSettings(stack));
  expect(stackIngestionSettings(stack).maxClockSkewMs).toBe(stack.maxClockSkewSeconds * 1000);
  expect(stack.delivery.streamName).toBe('clicklogger-dev-firehose-delivery-stream');
});

it.each(EXPECTED_DATES)('reports %s from the fixture events exactly as the golden file', async (date) => {
  const io = captureIo();
  const code = await main(['local', '--events', EVENTS_FILE, '--date', date, '--out', out], io);
  expect(io.stderr).toEqual([]);
  expect(code).toBe(0);
  expect(printedReport(io.stdout, date)).toBe(expected(date, 'response.md'));
  const written = path.join(out, 'us-east-1-clicklogger-dev-loggregator-output-000000000000', ...date.split('-'));
  expect(fs.readFileSync(path.join(written, 'response.md'), 'utf8')).toBe(expected(date, 'response.md'));
  expect(comparableReportJson(fs.readFileSync(path.join(written, 'report.json'), 'utf8'))).toBe(
    expected(date, 'report.json'),
  );
});

it('counts and explains the rejected fixture events, and never ingests them', async () => {
  const io = captureIo();
  await main(['local', '--events', EVENTS_FILE, '--date', '2023-02-08', '--out', out], io);
  expect(io.stdout).toContain('ingested: 23 accepted, 3 rejected, 0 failed (of 26)');
  expect(io.stdout).toContain('  rejected ×2: callerid: must be a string (line 21, line 22)'); // missing, and a number
  expect(io.stdout.some((l) => /^ {2}rejected ×1: createdtime: not a valid time .*\(line 20\)$/.test(l))).toBe(true);
  expect(io.stdout).toContain('firehose: 23 clicks in 1 record; 23 converted to Parquet, 0 sent to the error prefix');
});

it('writes Parquet into event-date partitions of the raw bucket, including neighbouring days', async () => {
  await main(['local', '--events', EVENTS_FILE, '--date', '2023-02-08', '--out', out], captureIo());
  const raw = path.join(out, 'us-east-1-clicklogger-dev-firehose-delivery-000000000000', 'clicklog');
  expect(fs.readdirSync(raw).sort()).toEqual(['data=2023-02-07', 'data=2023-02-08', 'data=2023-02-09']);
  const [file] = fs.readdirSync(path.join(raw, 'data=2023-02-08'));
  expect(
    fs
      .readFileSync(path.join(raw, 'data=2023-02-08', file))
      .subarray(0, 4)
      .toString(),
  ).toBe('PAR1');
});

it("runs the seed's 8 samples by default and prints their report", async () => {
  const io = captureIo();
  const code = await main(['local', '--date', '2023-02-08', '--out', out], io);
  expect(code).toBe(0);
  expect(io.stdout).toContain('ingested: 8 accepted, 0 rejected, 0 failed (of 8)');
  expect(printedReport(io.stdout, '2023-02-08')).toBe(
    [
      '# Click report for 2023-02-08',
      '',
      '8 clicks in 4 groups.',
      '',
      '| createdTime | callerid | component | count |',
      '| --- | --- | --- | --- |',
      '| 2023-02-08 | OrderingApplication | checkout | 2 |',
      '| 2023-02-08 | OrderingApplication | login | 2 |',
      '| 2023-02-08 | OrderingApplication | products | 2 |',
      '| 2023-02-08 | OrderingApplication | submitorder | 2 |',
      '',
      // Each sample is a visit of its own (its own contextid): two reach the funnel's first step.
      '## Funnel checkout: OrderingApplication',
      '',
      '| step | visits | % of step 1 | % of previous step | median time from step 1 |',
      '| --- | --- | --- | --- | --- |',
      '| 1. login | 2 | 100.0% | – | 0.0 s |',
      '| 2. products | 0 | 0.0% | 0.0% | – |',
      '| 3. checkout | 0 | 0.0% | – | – |',
      '| 4. submitorder | 0 | 0.0% | – | – |',
      '',
      '## Visits',
      '',
      '| callerid | visits | users | clicks | one-click visits | median clicks | median length | top entry | top exit |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| OrderingApplication | 8 | 0 | 8 | 8 | 1 | 0.0 s | checkout (2) | checkout (2) |',
      '',
    ].join('\n'),
  );
  // How many polls the job needed depends on the machine's speed, and so does how the loop is
  // printed: the path must only start with the submission, poll, and end in ReportWritten.
  const statePath = io.stdout.find((l) => l.startsWith('state machine: '));
  expect(statePath).toMatch(/^state machine: PlanDates → StartJobRun → \(?WaitForJob\b.* → ReportWritten$/);
  expect(statePath).not.toMatch(/Failed|Unknown|Invalid/);
});

it('ends with where the report is, and what to do next', async () => {
  const io = captureIo();
  expect(await main(['local', '--date', '2023-02-08', '--out', out], io)).toBe(0);
  const day = path.join(out, 'us-east-1-clicklogger-dev-loggregator-output-000000000000', '2023', '02', '08');
  expect(io.stdout.slice(-2)).toEqual([
    `written: ${path.join(day, 'response.md')} and ${path.join(day, 'report.html')}`,
    `next: open report.html in a browser; \`npx clicklogger report --out ${out} --date 2023-02-08\` prints the day again; docs/deploy.md runs the pipeline on AWS`,
  ]);
  expect(fs.existsSync(path.join(day, 'report.html'))).toBe(true);
});

it("sends the blog's exact payloads, without createdtime, and reports them on today's date by default", async () => {
  expect(SEED_SAMPLES.map((s) => [s.requestid, s.contextid, s.component, s.action, s.type])).toEqual([
    ['OAP-guid-001', 'OAP-ctxt-001', 'login', 'load', 'webpage'],
    ['OAP-guid-002', 'OAP-ctxt-002', 'login', 'load', 'webpage'],
    ['OAP-guid-003', 'OAP-ctxt-003', 'products', 'show', 'webpage'],
    ['OAP-guid-004', 'OAP-ctxt-004', 'products', 'show', 'webpage'],
    ['OAP-guid-005', 'OAP-ctxt-005', 'checkout', 'show', 'webpage'],
    ['OAP-guid-006', 'OAP-ctxt-006', 'checkout', 'show', 'webpage'],
    ['OAP-guid-007', 'OAP-ctxt-007', 'submitorder', 'backend', 'process'],
    ['OAP-guid-008', 'OAP-ctxt-008', 'submitorder', 'backend', 'process'],
  ]);
  expect(SEED_SAMPLES.every((s) => s.callerid === 'OrderingApplication' && !('createdtime' in s))).toBe(true);
  const io = captureIo();
  expect(await main(['local', '--out', out], io)).toBe(0);
  expect(io.stdout).toContain(`# Click report for ${new Date().toISOString().slice(0, 10)}`);
  expect(io.stdout).toContain('8 clicks in 4 groups.');
});

it('generates N clicks spread over the day and reports all of them', async () => {
  const io = captureIo();
  expect(await main(['local', '--generate', '2500', '--date', '2023-02-08', '--out', out], io)).toBe(0);
  expect(io.stdout).toContain('ingested: 2500 accepted, 0 rejected, 0 failed (of 2500)');
  expect(io.stdout).toContain('2500 clicks in 40 groups.'); // 5 callers × 8 components
});

it('starts each run from empty buckets, so a rerun does not double count', async () => {
  await main(['local', '--date', '2023-02-08', '--out', out], captureIo());
  const io = captureIo();
  await main(['local', '--date', '2023-02-08', '--out', out], io);
  expect(io.stdout).toContain('8 clicks in 4 groups.');
});

it('ends a failing job in the Fail state with its cause, and prints no report', async () => {
  const result = await runLocalPipeline({
    dates: ['2023-02-08'],
    events: [samplesOn('2023-02-08')],
    outDir: out,
    beforeReport: async (stack) => {
      const dir = partitionDir(path.join(out, stack.delivery.rawBucket), '2023-02-08');
      fs.writeFileSync(path.join(dir, 'corrupt.parquet'), 'not parquet');
    },
  });
  expect(result.workflow).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
  expect(result.workflow?.status === 'FAILED' && result.workflow.cause).toMatch(
    /^Job run \w+ ended FAILED: cannot read Parquet file .*corrupt\.parquet/,
  );
  expect(result.reports).toBeUndefined();
});
