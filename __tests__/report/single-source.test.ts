/** The aggregation lives in spark/report.sql only, and the job is tested on the Spark it runs on. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigSchema } from '../../stacks/config';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['core', 'cost', 'functions', 'local', 'report', 'cli', 'stacks', 'spark', 'scripts'];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__pycache__' ? [] : sourceFiles(full);
    return /\.(ts|py|sql)$/.test(e.name) ? [full] : [];
  });
}

it("writes the report's GROUP BYs in spark/*.sql and nowhere else", () => {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d)));
  expect(files.length).toBeGreaterThan(10);
  const withGroupBy = files
    .filter((f) => /group\s+by/i.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
  // And the benchmark's: its bare aggregations (the floors the report query is measured
  // against) and the earlier formulations it is measured beside.
  expect(withGroupBy.sort()).toEqual([
    'scripts/bench-dedup.ts',
    'scripts/bench-report.ts',
    'scripts/day-clicks-before-split.sql',
    'spark/day_clicks.sql',
    'spark/funnels.sql',
    'spark/report.sql',
    'spark/visit_paths.sql',
    'spark/visits.sql',
  ]);
});

it('tests the job on the Spark of the default EMR release', () => {
  // From the EMR release notes: the Spark version each release ships.
  const SPARK_OF_RELEASE: Record<string, string> = { 'emr-7.5.0': '3.5.2' };
  const release = ConfigSchema.parse({}).emr.releaseLabel;
  const pin = `pyspark==${SPARK_OF_RELEASE[release]}`;
  const wanted = fs.readFileSync(path.join(ROOT, 'requirements-dev.in'), 'utf8').split('\n');
  const locked = fs.readFileSync(path.join(ROOT, 'requirements-dev.txt'), 'utf8').split('\n');
  expect(wanted).toContain(pin);
  expect(locked).toContain(`${pin} \\`);
});
