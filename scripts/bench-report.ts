/**
 * The report engine's sections of the benchmark: DuckDB's whole report against the count-only
 * query and the bare aggregations, and local Spark beside DuckDB, over cached generated Parquet.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateClicks } from '../local/input/samples';
import { writeParquet } from '../local/firehose/parquet';
import { partitionDir, queryReport, queryReports } from '../report/engine';
import { DEFAULT_FUNNELS } from '../core/funnels';
import { nextDate } from '../core/report-date';
import { sqlString, withDuckDb } from '../report/duckdb';
import { pythonEnvBin, pythonEnvVariables } from '../local/emr/python-env';
import { CACHE, DATE, fmt, log, median, medianOf, ROOT, rows, run, seconds } from './bench-common';

/** The cached Parquet of `rows` generated clicks (named for the generator's visits: older caches are not reused). */
export const rawDirName = (rows: number) => `raw-visits-${rows}`;

export async function ensureParquet(rowsWanted: number): Promise<string> {
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

export async function reportEngine(): Promise<void> {
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

export async function sparkAgainstDuckDb(): Promise<void> {
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
