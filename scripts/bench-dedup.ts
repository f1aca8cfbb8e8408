/**
 * The dedup benchmark (npm run bench, section `dedup`): the report query (day_clicks.sql, then
 * report.sql over it) at 10M rows, beside two bare floors over the same files in the same run,
 * on clicks delivered once and on the same clicks with 12 % delivered twice; and beside the
 * query before the keys were split on a hash (scripts/day-clicks-before-split.sql). Each
 * variant runs in a fresh database, interleaved; peak memory is a fresh process's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { partitionDir } from '../report/engine';
import { sqlString, withDuckDb } from '../report/duckdb';
import { reportSql } from '../report/sql';

const ROOT = path.resolve(__dirname, '..');
const BEFORE_SPLIT = path.join(__dirname, 'day-clicks-before-split.sql');
const RUNS = 5;
/** The share of clicks the duplicated data set delivers twice, the second copy 30 s later. */
const DUPLICATE_PERCENT = 12;

type Variant = 'split' | 'before' | 'distinct' | 'count';

const files = (rawDir: string, date: string) => sqlString(path.join(partitionDir(rawDir, date), '*.parquet'));

function variantSql(variant: Variant, rawDir: string, date: string): string[] {
  const view = `CREATE TEMP VIEW clicks AS SELECT *, '${date}' AS report_date FROM read_parquet(${files(rawDir, date)})`;
  const bare = (count: string) => `SELECT callerid, component, ${count} AS n FROM clicks GROUP BY callerid, component`;
  switch (variant) {
    case 'split':
      return [view, `CREATE TEMP TABLE day_clicks AS ${reportSql('dayClicks')}`, reportSql('counts')];
    case 'before':
      return [view, `CREATE TEMP TABLE day_clicks AS ${fs.readFileSync(BEFORE_SPLIT, 'utf8')}`, reportSql('counts')];
    case 'distinct':
      return [view, bare('count(DISTINCT requestid)')];
    case 'count':
      return [view, bare('count(*)')];
  }
}

/** One run of a variant in a fresh database; its time, and the rows its last query counted. */
export async function runVariant(variant: Variant, rawDir: string, date: string): Promise<number> {
  return withDuckDb(async (db) => {
    const started = performance.now();
    for (const sql of variantSql(variant, rawDir, date)) await db.runAndReadAll(sql);
    return performance.now() - started;
  });
}

/** A variant's peak RSS in a fresh Node process (MiB): the process's whole footprint. */
function peakMiB(variant: Variant, rawDir: string, date: string): number {
  const script = `require(${JSON.stringify(__filename)}).runVariant(${JSON.stringify(variant)}, ${JSON.stringify(rawDir)}, ${JSON.stringify(date)})
  .then(() => process.stdout.write(String(process.resourceUsage().maxRSS)));`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the ${variant} query failed: ${result.stderr}`);
  return Number(result.stdout) / 1024;
}

/** The same clicks, 12 % of them delivered a second time 30 s later (same day), in a folder of their own, cached. */
export async function ensureDuplicated(rawDir: string, dupDir: string, date: string): Promise<string> {
  const marker = path.join(dupDir, '.complete');
  if (fs.existsSync(marker)) return dupDir;
  fs.rmSync(dupDir, { recursive: true, force: true });
  const out = partitionDir(dupDir, date);
  fs.mkdirSync(out, { recursive: true });
  await withDuckDb(async (db) => {
    await db.run(`CREATE TEMP TABLE clicks AS SELECT * FROM read_parquet(${files(rawDir, date)})`);
    await db.run(`CREATE TEMP TABLE copies AS SELECT * REPLACE (
        strftime(strptime(createdtime, '%Y-%m-%dT%H:%M:%S.%gZ') + INTERVAL 30 SECOND, '%Y-%m-%dT%H:%M:%S.%gZ') AS createdtime)
      FROM clicks WHERE createdtime < '${date}T23:59:00' USING SAMPLE ${DUPLICATE_PERCENT} PERCENT (bernoulli, 7)`);
    // Copies spread through the files, as re-deliveries land in later buffers.
    await db.run(`CREATE TEMP TABLE delivered AS
      SELECT *, row_number() OVER () % 11 AS part FROM (SELECT * FROM (SELECT * FROM clicks UNION ALL SELECT * FROM copies) ORDER BY hash(requestid, createdtime))`);
    for (let part = 0; part < 11; part++) {
      const file = sqlString(path.join(out, `part-${String(part).padStart(4, '0')}.parquet`));
      await db.run(
        `COPY (SELECT * EXCLUDE (part) FROM delivered WHERE part = ${part}) TO ${file} (FORMAT parquet, COMPRESSION snappy)`,
      );
    }
  });
  fs.writeFileSync(marker, '');
  return dupDir;
}

interface Figures {
  readonly ms: Record<Variant, number>;
  readonly peakMiB: { readonly split: number; readonly before: number };
}

async function measure(rawDir: string, date: string): Promise<Figures> {
  const variants: Variant[] = ['split', 'before', 'distinct', 'count'];
  const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  await runVariant('count', rawDir, date); // warm the file cache
  for (let run = 0; run < RUNS; run++) {
    for (const variant of variants) times.get(variant)!.push(await runVariant(variant, rawDir, date));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = Object.fromEntries(variants.map((v) => [v, median(times.get(v)!)])) as Record<Variant, number>;
  return { ms, peakMiB: { split: peakMiB('split', rawDir, date), before: peakMiB('before', rawDir, date) } };
}

export interface BenchRow {
  readonly measure: string;
  readonly value: string;
  readonly peer?: string;
  readonly note?: string;
}

/** The dedup's rows for BENCHMARKS.md: unique clicks, then 12 % delivered twice. */
export async function dedupRows(rawDir: string, dupDir: string, date: string, rows: number): Promise<BenchRow[]> {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const result: BenchRow[] = [];
  for (const [what, dir] of [
    ['every click delivered once', rawDir],
    [`${DUPLICATE_PERCENT} % of the clicks delivered twice`, await ensureDuplicated(rawDir, dupDir, date)],
  ] as const) {
    const { ms, peakMiB } = await measure(dir, date);
    result.push({
      measure: `report query (day_clicks.sql, then report.sql) at ${rows.toLocaleString('en-US')} clicks, ${what}: time; peak RSS`,
      value: `${seconds(ms.split)}; ${peakMiB.split.toFixed(0)} MiB`,
      peer:
        `bare \`count(DISTINCT requestid)\`: ${seconds(ms.distinct)} → ${(ms.split / ms.distinct).toFixed(2)}×; ` +
        `bare \`count(*)\`: ${seconds(ms.count)}; ` +
        `before the hash split: ${seconds(ms.before)}, ${peakMiB.before.toFixed(0)} MiB → the split at ${(ms.split / ms.before).toFixed(2)}× its time`,
      note: `DuckDB; ${RUNS} runs of each, interleaved, a fresh database each; peak RSS of a fresh Node process running the query once`,
    });
  }
  return result;
}
