/**
 * `npm run bench`: measurements, not tests. Prints one table and writes BENCHMARKS.md with the
 * machine and the date. Figures are medians of several runs. Generated Parquet is cached
 * outside the repository ($CLICKLOGGER_BENCH_CACHE, default ~/.cache/clicklogger-bench).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { FUNCTION_NAMES } from '../functions/build';
import type { FirehoseSender } from '../functions/ingest/deliver';
import { ingestEvents } from '../functions/ingest/ingest';
import { generateClicks } from '../local/input/samples';
import { synthesizeStackJson } from '../local/run/synthesized-stack';
import { writeParquet } from '../local/firehose/parquet';
import { partitionDir, queryReport, queryReports } from '../report/engine';
import { DEFAULT_FUNNELS } from '../core/funnels';
import { nextDate } from '../core/report-date';
import { sqlString, withDuckDb } from '../report/duckdb';
import { pythonEnvBin, pythonEnvVariables } from '../local/emr/python-env';
import { ConfigSchema, stageConfig } from '../stacks/config';
import { idleCost, seedIdleCost } from '../cost/idle-cost';
import { DEFAULT_LOAD, estimateCost, stackFacts } from '../cost/cost-model';
import { firehoseBilledBytes } from '../cost/prices';
import { encodeRecord, packRecords } from '../functions/ingest/batches';
import { parseClick } from '../core/click-schema';
import { parseTerraformJson, resourcesOf } from '../stacks/terraform-json';
import { terraform, terraformEnv } from './terraform';
import { collectorLoad } from './bench-collector';
import { ClickPrivacy } from '../core/privacy';

const ROOT = path.resolve(__dirname, '..');
const CACHE = process.env.CLICKLOGGER_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'clicklogger-bench');
const DATE = '2023-02-08';

interface Row {
  measure: string;
  value: string;
  peer?: string;
  note?: string;
}
const rows: Row[] = [];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function log(line: string) {
  process.stderr.write(`bench: ${line}\n`);
}

async function timed<T>(work: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

async function medianOf(runs: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(work))[0]);
  return median(times);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

async function synthAndValidate(): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-synth-'));
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const synthMs = await medianOf(3, () => run('npx', ['cdktf', 'synth', '--output', out], env));
  rows.push({ measure: '`cdktf synth` (wall, incl. esbuild bundling)', value: seconds(synthMs) });
  const stackDir = path.join(out, 'stacks', 'clicklogger-dev');
  const tfEnv = terraformEnv(stackDir);
  const init = terraform(['init', '-backend=false', '-input=false', '-no-color'], stackDir, tfEnv);
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  const validateMs = await medianOf(3, () => {
    const v = terraform(['validate', '-no-color'], stackDir, tfEnv);
    if (v.status !== 0) throw new Error(v.output);
  });
  rows.push({ measure: '`terraform validate` (after init)', value: seconds(validateMs) });
  return out;
}

async function bundles(synthOut: string): Promise<void> {
  const json = parseTerraformJson(
    fs.readFileSync(path.join(synthOut, 'stacks', 'clicklogger-dev', 'cdk.tf.json'), 'utf8'),
  );
  const functions = resourcesOf<{
    function_name: string;
    filename: string;
    environment?: { variables?: Record<string, string> };
  }>(json, 'aws_lambda_function').map(([, fn]) => fn);
  for (const name of FUNCTION_NAMES) {
    const bundle = path.join(ROOT, '.build', 'functions', name, 'index.js');
    const fn = functions.find((f) => f.filename.includes(`_${name}_bundle_`));
    if (!fn) throw new Error(`the synthesized stack has no function bundled from ${name}`);
    const zip = fs.statSync(path.join(synthOut, 'stacks', 'clicklogger-dev', fn.filename)).size;
    // The function's own environment, NODE_OPTIONS included, as Lambda starts it.
    const deployed = fn.environment?.variables ?? {};
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      ...Object.fromEntries(Object.entries(deployed).map(([k, v]) => [k, v.includes('${') ? 'bench' : v])),
    };
    const inits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const out = run(
        process.execPath,
        [
          '-e',
          `const t=performance.now();require(${JSON.stringify(
            bundle,
          )});process.stdout.write(String(performance.now()-t))`,
        ],
        env,
      );
      inits.push(Number(out));
    }
    rows.push({
      measure: `bundle \`${name}\`: size raw / zipped; cold module init`,
      value: `${kb(fs.statSync(bundle).size)} / ${kb(zip)}; ${median(inits).toFixed(1)} ms`,
      note: `zip as deployed (no source map: it stays in .build/maps); init = fresh Node process with the function's environment (NODE_OPTIONS: ${deployed.NODE_OPTIONS ?? 'none'}) requiring the bundle, median of 7`,
    });
  }
}

/** A Firehose that answers at once: measures the ingestion code, not the network. */
function countingFirehose(): FirehoseSender & { calls: number } {
  const sender = {
    calls: 0,
    async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
      sender.calls++;
      const records = command.input.Records ?? [];
      return { $metadata: {}, FailedPutCount: 0, RequestResponses: records.map(() => ({ RecordId: 'x' })) };
    },
  };
  return sender;
}

async function ingestion(): Promise<void> {
  const events = [...generateClicks(DATE, 100_000, 100_000)][0];
  // The stack's defaults: addresses cut to their network, users pseudonymized.
  const privacy = new ClickPrivacy({ clientIp: 'truncate', user: 'pseudonymize' }, randomBytes(32));
  const options = (firehose: FirehoseSender) => ({
    firehose,
    privacy,
    streamName: 'bench',
    receivedAt: new Date(),
    deadline: Date.now() + 600_000,
  });
  await ingestEvents(events.slice(0, 5_000), options(countingFirehose())); // warm-up
  const ms = await medianOf(5, () => ingestEvents(events, options(countingFirehose())));
  // The floor: what any ingestion must do, stringify, encode and pack, without validating.
  const floor = await medianOf(5, () => packRecords(events.map((event, i) => encodeRecord(i, event))));
  rows.push({
    measure: 'ingestion core, one 100k-event request (validate + normalize + pack; a Firehose that answers at once)',
    value: `${fmt(100_000 / (ms / 1000))} events/s`,
    peer: `floor (stringify + encode + pack, no validation): ${fmt(100_000 / (floor / 1000))} events/s → ${(ms / floor).toFixed(1)}× its time`,
  });
  const counter = countingFirehose();
  await ingestEvents(events.slice(0, 10_000), options(counter));
  rows.push({
    measure: 'PutRecordBatch calls per 10,000 events',
    value: String(counter.calls),
    peer: `seed: 10,000 (one PutRecord per event) → ${(10_000 / counter.calls).toFixed(0)}× fewer`,
    note: 'floor: 1 (500 clicks a record, 500 records a call, under 4 MB)',
  });

  // What Firehose bills per click: each record is rounded up to 5 KB.
  // Each click as ingestion sends it: validated and normalized, defaults filled in.
  const clicks = events.slice(0, 10_000).map((event, i) => {
    const parsed = parseClick(event, { now: new Date(`${DATE}T23:59:59.999Z`) });
    if (!parsed.ok) throw new Error(`generated click ${i} is not valid: ${parsed.errors.join('; ')}`);
    return encodeRecord(i, parsed.click);
  });
  const rawPerClick = clicks.reduce((n, c) => n + c.bytes, 0) / clicks.length;
  const unpacked = clicks.reduce((n, c) => n + firehoseBilledBytes(c.bytes), 0) / clicks.length;
  const packedBy = (perRequest: number) => {
    let billed = 0;
    for (let i = 0; i < clicks.length; i += perRequest) {
      billed += packRecords(clicks.slice(i, i + perRequest)).reduce(
        (n, r) => n + firehoseBilledBytes(r.data.byteLength),
        0,
      );
    }
    return billed / clicks.length;
  };
  rows.push({
    measure: 'Firehose bytes billed per click, one click a record → packed (requests of 10 / 100 / 1,000 clicks)',
    value: `${fmt(unpacked)} → ${fmt(packedBy(10))} / ${fmt(packedBy(100))} / ${fmt(packedBy(1000))} bytes`,
    peer: `the clicks' own size: ${fmt(rawPerClick)} bytes`,
    note: 'each record rounded up to 5 KB (Firehose pricing); 10,000 generated clicks',
  });
}

/** The cached Parquet of `rows` generated clicks (named for the generator's visits: older caches are not reused). */
const rawDirName = (rows: number) => `raw-visits-${rows}`;

async function ensureParquet(rowsWanted: number): Promise<string> {
  const dir = path.join(CACHE, rawDirName(rowsWanted));
  const part = partitionDir(dir, DATE);
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  log(`generating ${fmt(rowsWanted)} rows of Parquet in ${dir} (once)`);
  let file = 0;
  await withDuckDb(async (connection) => {
    for (const chunk of generateClicks(DATE, rowsWanted, 1_000_000)) {
      const clicks = chunk.map((c) => ({ ...c, user: 'GUEST', clientip: 'APIGWY' }));
      await writeParquet(clicks, path.join(part, `part-${String(file++).padStart(4, '0')}.parquet`), { connection });
    }
  });
  fs.writeFileSync(marker, '');
  return dir;
}

/** A bare aggregation over the same files in a fresh database, `count` as given; its time. */
async function bareAggregation(rawDir: string, count: string): Promise<number> {
  const files = sqlString(path.join(partitionDir(rawDir, DATE), '*.parquet'));
  return withDuckDb(async (db) => {
    const started = performance.now();
    await db.runAndReadAll(
      `SELECT callerid, component, ${count} AS n FROM read_parquet(${files}) GROUP BY callerid, component`,
    );
    return performance.now() - started;
  });
}

/**
 * The count-only report query as it was before the report had visits and funnels (one query:
 * each click once, counted per caller and component): what the whole report is measured against.
 */
const COUNT_ONLY_SQL = `WITH each_click AS (
  SELECT callerid, min_by(coalesce(component, ''), createdtime || coalesce(component, '')) AS component,
    count(*) AS deliveries
  FROM clicks WHERE createdtime >= '${DATE}' AND createdtime < '${nextDate(DATE)}'
  GROUP BY callerid, requestid)
SELECT callerid, component, count(*) AS count, sum(deliveries) - count(*) AS duplicates
FROM each_click GROUP BY callerid, component ORDER BY callerid NULLS FIRST, component`;

async function countOnly(rawDir: string): Promise<number> {
  const files = sqlString(path.join(partitionDir(rawDir, DATE), '*.parquet'));
  return withDuckDb(async (db) => {
    const started = performance.now();
    await db.run(`CREATE TEMP VIEW clicks AS SELECT * FROM read_parquet(${files})`);
    await db.runAndReadAll(COUNT_ONLY_SQL);
    return performance.now() - started;
  });
}

/** The whole report (counts, visits, the default funnel) against the count-only query, interleaved. */
async function wholeReport(dir: string, count: number): Promise<void> {
  const whole: number[] = [];
  const counts: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await queryReports([DATE], dir, undefined, DEFAULT_FUNNELS);
    whole.push(performance.now() - started);
    counts.push(await countOnly(dir));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[1];
  rows.push({
    measure: `whole report (DuckDB: counts, visits and the checkout funnel) over ${fmt(count)} rows`,
    value: seconds(median(whole)),
    peer: `the count-only report query before visits: ${seconds(median(counts))} → ${(median(whole) / median(counts)).toFixed(1)}×`,
    note: 'generated visits of 1 to 12 clicks; 3 runs each, interleaved, a fresh database each',
  });
}

async function reportEngine(): Promise<void> {
  for (const count of [1_000_000, 10_000_000]) {
    const dir = await ensureParquet(count);
    await queryReport(DATE, dir); // warm the file cache
    await wholeReport(dir, count);
    const ms = await medianOf(3, () => queryReport(DATE, dir));
    const bare = await medianOf(3, () => bareAggregation(dir, 'count(*)'));
    const bareDistinct = await medianOf(3, () => bareAggregation(dir, 'count(DISTINCT requestid)'));
    rows.push({
      measure: `report engine (DuckDB: day_clicks.sql, report.sql and the visit queries, no funnel) over ${fmt(count)} rows`,
      value: seconds(ms),
      peer:
        `bare \`count(*) … GROUP BY callerid, component\`: ${seconds(bare)} → ${(ms / bare).toFixed(1)}×; ` +
        `bare \`count(DISTINCT requestid)\` instead: ${seconds(bareDistinct)} → ${(ms / bareDistinct).toFixed(1)}×`,
      note: "SNAPPY Parquet, 1M rows per file; the engine's whole query (view, report.sql, row count), a fresh database each; bare aggregations in the same run",
    });
  }
}

interface EngineRun {
  wallMs: number;
  queryMs: number;
  peakRssMiB: number;
  clicks: number;
}

/** DuckDB in a fresh process, as a user's `clicklogger local` would start it. */
function duckdbFreshProcess(rawDir: string): EngineRun {
  const script = `
const { queryReport } = require(${JSON.stringify(path.join(ROOT, 'report', 'engine'))});
(async () => {
  const t = performance.now();
  const rows = await queryReport(${JSON.stringify(DATE)}, ${JSON.stringify(rawDir)});
  const queryMs = performance.now() - t;
  const clicks = rows.reduce((n, r) => n + r.count, 0);
  process.stdout.write(JSON.stringify({ queryMs, clicks, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
})();`;
  const started = performance.now();
  const out = JSON.parse(run(process.execPath, ['--import', 'tsx', '-e', script])) as Omit<EngineRun, 'wallMs'>;
  return { wallMs: performance.now() - started, ...out };
}

/** The job's query on local Spark, under spark-submit (scripts/bench_spark.py). */
function sparkRun(count: number): EngineRun & { spark: string; jvm: string } {
  const args = ['--master', 'local[2]', '--conf', 'spark.ui.enabled=false', '--conf', 'spark.log.level=WARN'];
  // No hsperfdata in /tmp, as the CLI's Spark runs.
  args.push('--driver-java-options', '-XX:-UsePerfData');
  const script = path.join(ROOT, 'scripts', 'bench_spark.py');
  const started = performance.now();
  const out = JSON.parse(
    run(pythonEnvBin('spark-submit'), [...args, script, CACHE, rawDirName(count), DATE, '3'], {
      ...pythonEnvVariables(),
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_LAUNCHER_OPTS: '-XX:-UsePerfData',
    }),
  ) as { query_s: number; peak_rss_mib: number; clicks: number; spark: string; jvm: string };
  return {
    wallMs: performance.now() - started,
    queryMs: out.query_s * 1000,
    peakRssMiB: out.peak_rss_mib,
    clicks: out.clicks,
    spark: out.spark,
    jvm: out.jvm,
  };
}

async function sparkAgainstDuckDb(): Promise<void> {
  for (const count of [1_000_000, 10_000_000]) {
    const dir = await ensureParquet(count);
    const duck = [0, 1, 2].map(() => duckdbFreshProcess(dir));
    log(`running the report job's query on local Spark over ${fmt(count)} rows (3 spark-submit runs)`);
    const spark = [0, 1, 2].map(() => sparkRun(count));
    const clicks = new Set([...duck, ...spark].map((r) => r.clicks));
    if (clicks.size !== 1 || !clicks.has(count))
      throw new Error(`engines disagree on the click count: ${[...clicks].join(', ')}`);
    const m = (runs: EngineRun[], key: keyof EngineRun) => median(runs.map((r) => r[key]));
    const vs = (s: number, d: number, unit: (x: number) => string) =>
      `DuckDB: ${unit(d)} → ratio Spark/DuckDB ${(s / d).toFixed(1)}`;
    const mib = (x: number) => `${x.toFixed(0)} MiB`;
    const note = `Spark ${spark[0].spark}, ${spark[0].jvm}; SNAPPY Parquet, 1M rows per file; 3 processes each`;
    rows.push(
      {
        measure: `report job on local Spark (\`local[2]\`) over ${fmt(count)} rows: process wall time, session start included`,
        value: seconds(m(spark, 'wallMs')),
        peer: vs(m(spark, 'wallMs'), m(duck, 'wallMs'), seconds),
        note,
      },
      {
        measure: `report job on local Spark over ${fmt(count)} rows: queries alone (day_clicks, counts, visits; no funnel)`,
        value: seconds(m(spark, 'queryMs')),
        peer: vs(m(spark, 'queryMs'), m(duck, 'queryMs'), seconds),
        note: 'median of 3 queries in one session; DuckDB: its first query in a fresh process',
      },
      {
        measure: `report job on local Spark over ${fmt(count)} rows: peak RSS`,
        value: mib(m(spark, 'peakRssMiB')),
        peer: vs(m(spark, 'peakRssMiB'), m(duck, 'peakRssMiB'), mib),
        note: 'Spark: the driver JVM plus the Python driver; DuckDB: the Node process',
      },
    );
  }
}

/**
 * How a generated events file is laid out: JSON Lines of one day, the same as one JSON array, or
 * JSON Lines of two days, sorted (blocks of 10,000) or alternating click by click.
 */
type EventsShape = 'lines' | 'array' | 'two-days-sorted' | 'two-days-interleaved';

/** A file of about `mb` MB of generated clicks, cached; returns it and its event count. */
async function ensureEventsFile(mb: number, shape: EventsShape = 'lines'): Promise<{ file: string; events: number }> {
  const file = path.join(
    CACHE,
    `events-${mb}MB${shape === 'lines' ? '' : `-${shape}`}.${shape === 'array' ? 'json' : 'jsonl'}`,
  );
  const countFile = `${file}.count`;
  if (fs.existsSync(countFile)) return { file, events: Number(fs.readFileSync(countFile, 'utf8')) };
  log(`writing a ${mb} MB ${shape} events file in ${file} (once)`);
  const out = fs.createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    return Buffer.byteLength(text);
  };
  const nextDay = '2023-02-09';
  let bytes = shape === 'array' ? await write('[\n') : 0;
  let events = 0;
  for (const chunk of generateClicks(DATE, Number.MAX_SAFE_INTEGER, 10_000)) {
    const lines = chunk.map((c, i) => {
      const moved =
        shape === 'two-days-interleaved' ? i % 2 === 1 : shape === 'two-days-sorted' && events % 20_000 >= 10_000;
      return JSON.stringify(moved ? { ...c, createdtime: nextDay + c.createdtime.slice(10) } : c);
    });
    bytes += await write(
      shape === 'array' ? `${events > 0 ? ',\n' : ''}${lines.join(',\n')}` : `${lines.join('\n')}\n`,
    );
    events += chunk.length;
    if (bytes >= mb * 1_000_000) break;
  }
  if (shape === 'array') await write('\n]\n');
  await new Promise<void>((resolve) => out.end(() => resolve()));
  fs.writeFileSync(countFile, String(events));
  return { file, events };
}

/**
 * `clicklogger local --verbose` in a fresh process; returns its wall time, its peak RSS, the peak
 * RSS up to the end of ingestion (what --verbose says then), and its output.
 */
function cliWithPeakRss(args: string[]): { ms: number; peakMiB: number; ingestPeakMiB: number; stdout: string } {
  const wrapper = `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));
process.argv = [process.argv[0], ${JSON.stringify(path.join(ROOT, 'bin', 'clicklogger.js'))}, ...${JSON.stringify([...args, '--verbose'])}];
require(process.argv[1]);`;
  const start = performance.now();
  const result = spawnSync(process.execPath, ['-e', wrapper], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`clicklogger ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  const kib = Number(/maxrss (\d+)/.exec(result.stderr)?.[1]);
  const ingestPeakMiB = Number(/^ingestion: done in .*, peak RSS so far (\d+) MiB$/m.exec(result.stderr)?.[1]);
  return { ms, peakMiB: kib / 1024, ingestPeakMiB, stdout: result.stdout };
}

/** Runs `clicklogger local --events file` once, into a fresh folder, and checks every event was accepted. */
function localRun(file: string, events: number, what: string) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-events-'));
  try {
    const run = cliWithPeakRss(['local', '--events', file, '--out', out]);
    if (!run.stdout.includes(`ingested: ${events} accepted, 0 rejected, 0 failed (of ${events})`)) {
      throw new Error(`${what} did not ingest exactly ${events} events:\n${run.stdout.slice(0, 500)}`);
    }
    return run;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const peaks = (runs: { peakMiB: number; ingestPeakMiB: number }[]) =>
  `${median(runs.map((r) => r.ingestPeakMiB)).toFixed(0)} MiB during ingestion, ${median(runs.map((r) => r.peakMiB)).toFixed(0)} MiB in all`;

/** The floor: a fresh Node process that reads the file with readline and parses each line; its wall time. */
function readlineFloor(file: string, events: number): number {
  const script = `const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(${JSON.stringify(
    file,
  )}), crlfDelay: Infinity });
let n = 0;
rl.on('line', (line) => { if (line) { JSON.parse(line); n++; } });
rl.on('close', () => process.stdout.write(String(n)));`;
  const start = performance.now();
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (Number(result.stdout) !== events) throw new Error(`the floor read ${result.stdout} events, not ${events}`);
  return ms;
}

async function eventsFiles(): Promise<void> {
  for (const mb of [150, 600]) {
    const { file, events } = await ensureEventsFile(mb);
    // Each run right after its floor, so that both see the machine as it is at that moment.
    const floors: number[] = [];
    const runs = [0, 1, 2, 3, 4].map(() => {
      floors.push(readlineFloor(file, events));
      return localRun(file, events, `the ${mb} MB file`);
    });
    const wall = median(runs.map((r) => r.ms));
    const floor = median(floors);
    rows.push({
      measure: `\`clicklogger local --events\`, ${mb} MB of JSON Lines (${fmt(events)} events, all counted): wall time; peak RSS`,
      value: `${seconds(wall)}; ${peaks(runs)}`,
      peer: `floor (readline + JSON.parse of the same file, fresh process): ${seconds(floor)} → ${(wall / floor).toFixed(1)}× the floor`,
      note: 'the whole run: synth, ingestion, Parquet by DuckDB every 64 MiB (as deployed), state machine, report; 5 runs, each after a floor run',
    });
  }
  // The same clicks as one JSON array, streamed, beside the JSON Lines run of the same size.
  const array = await ensureEventsFile(200, 'array');
  const lines = await ensureEventsFile(200);
  const arrayRuns = [0, 1, 2].map(() => localRun(array.file, array.events, 'the 200 MB array'));
  const lineRuns = [0, 1, 2].map(() => localRun(lines.file, lines.events, 'the 200 MB JSON Lines file'));
  rows.push({
    measure: `\`clicklogger local --events\`, a 200 MB JSON array (${fmt(array.events)} events, all counted): wall time; peak RSS`,
    value: `${seconds(median(arrayRuns.map((r) => r.ms)))}; ${peaks(arrayRuns)}`,
    peer: `the same clicks as JSON Lines: ${seconds(median(lineRuns.map((r) => r.ms)))}; ${peaks(lineRuns)}`,
    note: '3 runs each; the array is cut at its own commas and each element parsed alone',
  });
  // Two days in one file: sorted in blocks, or alternating click by click (backfills, late clicks).
  const sorted = await ensureEventsFile(88, 'two-days-sorted');
  const interleaved = await ensureEventsFile(88, 'two-days-interleaved');
  const sortedRuns: number[] = [];
  const interleavedRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    sortedRuns.push(localRun(sorted.file, sorted.events, 'the sorted two-day file').ms);
    interleavedRuns.push(localRun(interleaved.file, interleaved.events, 'the interleaved two-day file').ms);
  }
  const [s, n] = [median(sortedRuns), median(interleavedRuns)];
  rows.push({
    measure: `\`clicklogger local --events\`, ${fmt(interleaved.events)} clicks of two days alternating click by click: wall time`,
    value: seconds(n),
    peer: `the same clicks sorted by date (blocks of 10,000): ${seconds(s)} → ${(n / s).toFixed(2)}× the sorted time`,
    note: '3 runs each, alternately',
  });
}

async function localEndToEnd(): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-local-'));
  const env = { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' };
  const ms = await medianOf(3, () =>
    run(
      process.execPath,
      [path.join(ROOT, 'bin', 'clicklogger.js'), 'local', '--generate', '100000', '--date', DATE, '--out', out],
      env,
    ),
  );
  fs.rmSync(out, { recursive: true, force: true });
  rows.push({
    measure: '`clicklogger local --generate 100000` end to end (process wall time)',
    value: seconds(ms),
    note: 'synth, ingestion, Parquet, state machine, report',
  });
}

function cost(): void {
  const json = synthesizeStackJson(stageConfig(ConfigSchema.parse({}), 'dev'));
  const facts = stackFacts(json);
  for (const clicksPerDay of [1_000_000, 100_000_000]) {
    const estimate = estimateCost(facts, { ...DEFAULT_LOAD, clicksPerDay });
    rows.push({
      measure: `$ per million clicks at ${fmt(clicksPerDay / 1e6)}M clicks a day, all in (cost model)`,
      value: `$${estimate.perMillionClicksUsd.toFixed(4)}`,
      peer: `seed's design: $${estimate.seed.perMillionClicksUsd.toFixed(4)} → ${(
        estimate.seed.perMillionClicksUsd / estimate.perMillionClicksUsd
      ).toFixed(0)}× cheaper`,
      note: `${DEFAULT_LOAD.bytesPerClick}-byte clicks, ${DEFAULT_LOAD.clicksPerRequest} a request; \`clicklogger cost\`, us-east-1 list prices`,
    });
  }
  const idle = idleCost(json);
  const seed = seedIdleCost();
  rows.push({
    measure: 'fixed idle cost per month, default stack',
    value: `$${idle.totalUsd.toFixed(2)}`,
    peer: `seed: $${seed.natUsd.toFixed(2)} NAT + $${seed.warmWorkersUsd.toFixed(2)} warm workers while started`,
    note: `$${idle.totalWithoutFreeTierUsd.toFixed(2)} once the CloudWatch free tier is used; us-east-1 list prices`,
  });
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${
    process.version
  }, ${os.platform()} ${os.arch()}`;
}

function table(): string {
  const lines = ['| measure | median | peer / anchor | note |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.measure} | ${r.value} | ${r.peer ?? ''} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

/** The sections, in order; `npm run bench -- <name>...` runs some of them and writes nothing. */
const SECTIONS: Record<string, () => Promise<void> | void> = {
  synth: async () => {
    const synthOut = await synthAndValidate();
    try {
      await bundles(synthOut);
    } finally {
      fs.rmSync(synthOut, { recursive: true, force: true });
    }
  },
  ingestion,
  'report-engine': reportEngine,
  spark: sparkAgainstDuckDb,
  local: localEndToEnd,
  'events-file': eventsFiles,
  collector: async () => {
    const { serve, bare, counted, settings } = await collectorLoad(log);
    const fixed = (n: number) => n.toFixed(1);
    rows.push({
      measure: `\`clicklogger serve\` under load: ${settings.connections} connections POST ${settings.clicksPerRequest} clicks a request for ${settings.seconds} s, on the loopback`,
      value: `${fmt(serve.requestsPerSecond)} requests/s, ${fmt(serve.clicksPerSecond)} clicks/s; p50 ${fixed(serve.p50Ms)} ms, p99 ${fixed(serve.p99Ms)} ms`,
      peer: `bare Node server (parse the JSON, answer 200): ${fmt(bare.requestsPerSecond)} requests/s; p50 ${fixed(bare.p50Ms)} ms, p99 ${fixed(bare.p99Ms)} ms → serve at ${(serve.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}× its requests/s`,
      note: `autocannon; ${settings.runs} runs each, alternately; every one of the ${fmt(counted)} clicks serve acknowledged was counted by its report; throttle set to 10,000/s`,
    });
  },
  cost,
};

async function main(): Promise<void> {
  const started = performance.now();
  fs.mkdirSync(CACHE, { recursive: true });
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    log(name);
    await section();
  }
  if (only.length > 0) {
    process.stdout.write(`${machine()}\n\n${table()}\n\n(some sections only: BENCHMARKS.md not written)\n`);
    return;
  }

  const when = new Date().toISOString().slice(0, 10);
  const doc = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${when}: ${machine()}.`,
    'Figures are medians of several runs (see each note). A "peer" runs on the same machine in the same run;',
    'an "anchor" is a figure from elsewhere, with its source.',
    '',
    table(),
    '',
    `The whole benchmark took ${seconds(performance.now() - started)}; generated Parquet is cached in \`${CACHE.replace(
      os.homedir(),
      '~',
    )}\`.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), doc);
  process.stdout.write(`${machine()}\n\n${table()}\n\nwritten to BENCHMARKS.md\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
