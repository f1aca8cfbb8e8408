/**
 * The report job on real Spark (pyspark 3.5.2, the Spark of emr-7.5.0) against the DuckDB
 * engine: the same report.sql over the same Parquet must give byte-identical reports.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { main } from '../../cli/main';
import { writeParquet } from '../../local/firehose/parquet';
import { runLocalPipeline } from '../../local/run/local-pipeline';
import { pythonEnvBin, pythonEnvVariables } from '../../local/emr/python-env';
import { samplesOn } from '../../local/input/samples';
import { runSparkJob, sparkRuntimeProblem } from '../../local/emr/spark-job';
import { partitionDir, runReport } from '../../report/engine';
import { DEFAULT_FUNNELS, encodeFunnels } from '../../core/funnels';
import { requireTool } from '../support/ci';
import { generatedVisits, KNOWN_DEPTHS, knownDepthDay } from '../support/visit-days';
import { captureIo } from '../support/io';
import { comparableReportJson, EVENTS_FILE, EXPECTED_DATES, expected } from '../support/report-fixtures';

/** The fixture dates that hold valid events (2023-02-10 has none). */
const FIXTURE_DAYS = EXPECTED_DATES.filter((date) => date !== '2023-02-10');

const ready = requireTool("Spark (Java 17 and pyspark in the project's .venv)", sparkRuntimeProblem() === undefined);
const sparkIt = ready ? it : it.skip;
const SPARK_TIMEOUT_MS = 180_000;
const OUTPUT_BUCKET = 'us-east-1-clicklogger-dev-loggregator-output-000000000000';

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-parity-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function reportFiles(out: string, bucket: string, date: string) {
  const dir = path.join(out, bucket, ...date.split('-'));
  return {
    markdown: fs.readFileSync(path.join(dir, 'response.md'), 'utf8'),
    json: fs.readFileSync(path.join(dir, 'report.json'), 'utf8'),
    html: fs.readFileSync(path.join(dir, 'report.html'), 'utf8'),
  };
}

describe('cross-engine contract on the golden fixtures', () => {
  sparkIt(
    'reports every date of the fixture events in one job run, the same on DuckDB and Spark and equal to the expected files',
    async () => {
      const reports = [];
      for (const engine of ['duckdb', 'spark']) {
        const out = path.join(work, engine);
        const io = captureIo();
        // No --date: every date with valid events, in one job run.
        const code = await main(['local', '--events', EVENTS_FILE, '--out', out, '--engine', engine], io);
        expect({ engine, code, stderr: io.stderr }).toEqual({ engine, code: 0, stderr: [] });
        expect(io.stdout.filter((l) => l.startsWith(`report job (${engine}): `))).toEqual([
          `report job (${engine}): SUBMITTED → RUNNING → SUCCESS`,
        ]);
        expect(io.stdout).toContain(
          `reported ${FIXTURE_DAYS[0]} to ${FIXTURE_DAYS.at(-1)} (${FIXTURE_DAYS.length} days)`,
        );
        expect(io.stdout).toContain(
          `reconciled: 23 accepted = 23 stored = 20 counted + 3 duplicates (${FIXTURE_DAYS.join(', ')})`,
        );
        reports.push(FIXTURE_DAYS.map((date) => reportFiles(out, OUTPUT_BUCKET, date)));
      }
      // Two runs store their clicks under different file names, so what they read differs in its
      // names and times; everything else is byte-identical (the differential test below holds the
      // engines to every byte over the same files).
      const [duckdb, spark] = reports.map((days) =>
        days.map((day) => ({ ...day, json: comparableReportJson(day.json) })),
      );
      expect(spark).toEqual(duckdb);
      expect(spark).toEqual(
        FIXTURE_DAYS.map((date) => ({
          markdown: expected(date, 'response.md'),
          json: expected(date, 'report.json'),
          html: expected(date, 'report.html'),
        })),
      );
    },
    SPARK_TIMEOUT_MS,
  );

  sparkIt(
    'fails the Spark job on a corrupt Parquet file, ending the workflow in JobFailed with a cause that names it',
    async () => {
      const result = await runLocalPipeline({
        dates: ['2023-02-08'],
        events: [samplesOn('2023-02-08')],
        outDir: work,
        engine: 'spark',
        beforeReport: async (stack) => {
          const dir = partitionDir(path.join(work, stack.delivery.rawBucket), '2023-02-08');
          fs.writeFileSync(path.join(dir, 'corrupt.parquet'), 'not parquet');
        },
      });
      expect(result.workflow).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
      const cause = result.workflow?.status === 'FAILED' ? result.workflow.cause : '';
      expect(cause).toMatch(
        /^Job run \w+ ended FAILED: java\.lang\.RuntimeException: \S*corrupt\.parquet is not a Parquet file/,
      );
      expect(cause).not.toMatch(/\n|\tat |Traceback/);
      expect(result.reports).toBeUndefined();
    },
    SPARK_TIMEOUT_MS,
  );
});

describe('a Spark job that fails without its own error line', () => {
  sparkIt(
    "reports the last line it wrote, not Spark's shutdown log",
    async () => {
      const script = path.join(work, 'fails.py');
      fs.writeFileSync(
        script,
        'import sys\nprint("first", file=sys.stderr)\nprint("last words", file=sys.stderr)\nsys.exit(3)\n',
      );
      const driver = { entryPoint: 's3://source/spark/fails.py', entryPointArguments: [] };
      await expect(
        runSparkJob(driver, { sourceFiles: new Map([[driver.entryPoint, script]]), storageRoot: work }),
      ).rejects.toThrow(/^spark-submit exited with code 3: last words$/);
    },
    SPARK_TIMEOUT_MS,
  );
});

/** The command lines (argv) of the processes that mention `text` (Linux /proc). */
function processesMentioning(text: string): string[][] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.some((arg) => arg.includes(text)) ? [argv] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}

async function waitFor(condition: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a stopped Spark job', () => {
  sparkIt(
    'takes its whole process tree with it (spark-submit, the JVM, the Python driver) before the promise settles',
    async () => {
      const script = path.join(work, 'sleeps.py');
      const marker = path.join(work, 'written-after-stop');
      fs.writeFileSync(script, `import time\ntime.sleep(600)\nopen(${JSON.stringify(marker)}, "w").close()\n`);
      const driver = { entryPoint: 's3://source/spark/sleeps.py', entryPointArguments: [] };
      const controller = new AbortController();
      const job = runSparkJob(driver, {
        sourceFiles: new Map([[driver.entryPoint, script]]),
        storageRoot: work,
        signal: controller.signal,
      });
      // Wait for the whole tree: the JVM, and the Python driver it starts.
      const running = (program: string) =>
        processesMentioning(script).some((argv) => path.basename(argv[0]).startsWith(program));
      await waitFor(() => running('java') && running('python'), 120_000, 'the JVM and the Python driver');
      controller.abort(new Error('cancelled'));
      await expect(job).rejects.toThrow(/the job was stopped/);
      expect(processesMentioning(work)).toEqual([]);
      expect(fs.existsSync(marker)).toBe(false);
    },
    SPARK_TIMEOUT_MS,
  );
});

// --- Differential test: generated days through both engines --------------------------------

const RAW = 'raw-bucket';
const START = Date.parse('2024-01-01T00:00:00.000Z'); // a leap year, across month ends
const DAYS = 220;
const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Pieces that break naive markdown, JSON or sorting: pipes, escapes, line ends, astral characters. */
const NASTY = [
  '|',
  '\\',
  '\\|',
  '\r\n',
  '\r',
  '\n',
  '\t',
  ' ',
  'é',
  'ß',
  'Ω',
  '日本',
  '😀',
  '𝄞',
  '\u{1F469}\u200D\u{1F4BB}',
  '"',
  "'",
  '`',
  '*',
];
const nastyText = fc
  .array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join(''));

type Kind = 'no-partition' | 'empty-file' | 'neighbours-only' | 'nasty' | 'many-groups' | 'visits' | 'many-visits';
const dayPlan = fc.record({
  kind: fc.constantFrom<Kind>(
    'no-partition',
    'empty-file',
    'neighbours-only',
    'nasty',
    'nasty',
    'nasty',
    'many-groups',
    'visits',
    'visits',
    'visits',
    'many-visits',
  ),
  callers: fc.array(nastyText, { minLength: 1, maxLength: 4 }),
  components: fc.array(nastyText, { minLength: 1, maxLength: 4 }),
  events: fc.integer({ min: 1, max: 40 }),
  files: fc.integer({ min: 1, max: 3 }),
  /** Clicks delivered again: byte-identical, re-stamped that day, under another caller, or another component. */
  redeliveries: fc.nat(6),
  seed: fc.nat(),
});

type DayPlan = typeof dayPlan extends fc.Arbitrary<infer T> ? T : never;
type Row = Record<string, string>;

function click(caller: string, component: string, createdtime: string, n: number): Row {
  return {
    requestid: `r${n}`,
    contextid: `c${n}`,
    callerid: caller,
    component,
    action: 'a',
    type: 't',
    user: 'u',
    clientip: 'ip',
    createdtime,
  };
}

/** The rows of each partition file of one day: the day's own clicks and misfiled neighbours. */
function dayFiles(dayMs: number, plan: DayPlan): Row[][] {
  const rows: Row[] = [];
  let n = 0;
  const at = (offsetMs: number) => new Date(dayMs + offsetMs).toISOString();
  if (plan.kind === 'visits') rows.push(...generatedVisits(plan, at, plan.events));
  // One caller with 1,500 visits.
  if (plan.kind === 'many-visits') rows.push(...generatedVisits(plan, at, 1500, 'busy-caller'));
  if (plan.kind === 'many-groups') {
    for (let g = 0; g < 1500; g++)
      rows.push(click(`caller-${g % 37}`, `component-${g}`, at((g * 57_601) % DAY_MS), n++));
  } else if (plan.kind === 'nasty') {
    for (let i = 0; i < plan.events; i++) {
      const caller = plan.callers[(plan.seed + i) % plan.callers.length];
      const component = plan.components[(plan.seed * 7 + i * 3) % plan.components.length];
      // The first and last millisecond of the day belong to it.
      const offset = i === 0 ? 0 : i === 1 ? DAY_MS - 1 : (plan.seed + i * 7_919_111) % DAY_MS;
      rows.push(click(caller, component, at(offset), n++));
    }
    const clicks = rows.length;
    for (let k = 0; k < plan.redeliveries; k++) {
      const copy = { ...rows[(plan.seed + k) % clicks] };
      if (k % 4 === 1) copy.createdtime = at((plan.seed * 31 + k) % DAY_MS);
      if (k % 4 === 2) copy.callerid = `${copy.callerid}+`;
      // The same millisecond under another component: a tie that both engines break alike.
      if (k % 4 === 3) copy.component = `${copy.component}${k % 2 === 0 ? '+' : ''}~`;
      rows.push(copy);
    }
  }
  if (plan.kind !== 'no-partition' && plan.kind !== 'empty-file') {
    // Misfiled neighbours: the report's filter keeps them out of this day's report.
    rows.push(click(plan.callers[0], plan.components[0], at(-1), n), click('next', 'day', at(DAY_MS), n + 1));
  }
  if (plan.kind === 'no-partition') return [];
  if (plan.kind === 'empty-file') return [[]];
  const files: Row[][] = Array.from({ length: plan.files }, () => []);
  rows.forEach((row, i) => files[i % plan.files].push(row));
  return files.filter((f) => f.length > 0);
}

describe('differential test: generated days on both engines', () => {
  sparkIt(
    `gives byte-identical response.md, report.json and report.html for ${DAYS} generated days`,
    async () => {
      const plans = fc.sample(dayPlan, { seed: 20261125, numRuns: DAYS });
      const dates = plans.map((_, i) => dateOf(START + i * DAY_MS));
      for (const [i, plan] of plans.entries()) {
        const files = dayFiles(START + i * DAY_MS, plan);
        for (const [f, rows] of files.entries()) {
          await writeParquet(rows, path.join(partitionDir(path.join(work, RAW), dates[i]), `part-${f}.parquet`));
        }
      }
      // And the day of known funnel depths, the day after.
      const depthDay = dateOf(START + DAYS * DAY_MS);
      const depthRows = knownDepthDay(depthDay).map((c) => ({ ...c, action: 'a', type: 't', clientip: 'ip' }));
      await writeParquet(depthRows, path.join(partitionDir(path.join(work, RAW), depthDay), 'part-0.parquet'));
      dates.push(depthDay);

      // Every day in one query, on both engines, as a job run for several dates does.
      const funnels = DEFAULT_FUNNELS;
      // Few rows a caller, so that most days leave some out of response.md: both engines must pick the same.
      const rowsPerCaller = 3;
      const outDir = path.join(work, 'duckdb-out');
      await runReport({ dates, rawDir: path.join(work, RAW), outDir, funnels, rowsPerCaller });
      const spark = spawnSync(
        pythonEnvBin('python'),
        [
          path.resolve(__dirname, '../../spark/tests/report_days.py'),
          work,
          RAW,
          'spark-out',
          encodeFunnels(funnels),
          String(rowsPerCaller),
          ...dates,
        ],
        { env: pythonEnvVariables(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      expect({ status: spark.status, stdout: spark.stdout, stderr: spark.status === 0 ? '' : spark.stderr }).toEqual({
        status: 0,
        stdout: `report_days: ${DAYS + 1} days reported\n`,
        stderr: '',
      });

      const kinds = new Map<string, number>();
      plans.forEach((p) => kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1));
      expect([...kinds.keys()].sort()).toEqual([
        'empty-file',
        'many-groups',
        'many-visits',
        'nasty',
        'neighbours-only',
        'no-partition',
        'visits',
      ]);

      let nonEmpty = 0;
      let allMarkdown = '';
      for (const date of dates) {
        const duck = reportFiles(work, 'duckdb-out', date);
        const sparkReport = reportFiles(work, 'spark-out', date);
        expect({ date, ...sparkReport }).toEqual({ date, ...duck });
        if (!duck.markdown.includes('No clicks on')) nonEmpty++;
        allMarkdown += duck.markdown;
      }
      // The generator really produced what this test is about.
      expect(nonEmpty).toBeGreaterThan(DAYS / 2);
      for (const piece of ['\\|', '\\\\', '😀', '𝄞', 'é', 'duplicate deliver']) expect(allMarkdown).toContain(piece);
      expect(allMarkdown).toMatch(/1500 clicks in 1500 groups\./);
      expect(allMarkdown).toMatch(/\| busy-caller \| 1500 \| /);
      expect(allMarkdown).toMatch(/\| 4\. submitorder \| [1-9]\d* \|/);
      // Days where a caller has more rows than response.md lists, and both engines left the same out.
      expect(allMarkdown).toMatch(/Listed: at most 3 rows a caller, .* Not listed: .+, \d+ rows? \(\d+ clicks?\)/);
      // Both engines (the same bytes, above) count the known depths as they were built.
      const depths = JSON.parse(reportFiles(work, 'spark-out', depthDay).json);
      expect(depths.funnels[0].steps.map((s: { visits: number }) => s.visits)).toEqual(KNOWN_DEPTHS.stepVisits);
      expect(depths.visits[0]).toMatchObject({
        visits: KNOWN_DEPTHS.visits,
        clicks: KNOWN_DEPTHS.clicks,
        singleClickVisits: KNOWN_DEPTHS.singleClickVisits,
        users: KNOWN_DEPTHS.users,
      });
    },
    SPARK_TIMEOUT_MS * 2,
  );
});
