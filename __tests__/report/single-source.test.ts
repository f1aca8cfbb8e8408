/** The aggregation lives in spark/report.sql only, and the Spark job agrees with the click schema. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLICK_FIELDS } from '../../functions/shared/click-schema';
import { ConfigSchema } from '../../stacks/config';
import { pythonEnvBin, pythonEnvHas } from '../../local/python-env';
import { REPORT_COLUMNS } from '../../report/markdown';
import { requireTool } from '../support/ci';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['functions', 'local', 'report', 'cli', 'stacks', 'spark', 'scripts'];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__pycache__' ? [] : sourceFiles(full);
    return /\.(ts|py|sql)$/.test(e.name) ? [full] : [];
  });
}

it('writes GROUP BY in spark/report.sql and nowhere else', () => {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d)));
  expect(files.length).toBeGreaterThan(10);
  const withGroupBy = files
    .filter((f) => /group\s+by/i.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
  expect(withGroupBy).toEqual(['spark/report.sql']);
});

const hasPython = requireTool("the project's Python environment", pythonEnvHas());
(hasPython ? it : it.skip)(
  'has the Spark job read exactly the click schema columns and write the report columns',
  () => {
    const out = execFileSync(
      pythonEnvBin('python'),
      ['-c', 'import json, report_job as r; print(json.dumps([r.CLICK_COLUMNS, r.REPORT_COLUMNS]))'],
      { cwd: path.join(ROOT, 'spark'), encoding: 'utf8' },
    );
    const [clickColumns, reportColumns] = JSON.parse(out);
    expect(clickColumns).toEqual(CLICK_FIELDS.map((f) => f.name));
    expect(reportColumns).toEqual([...REPORT_COLUMNS]);
  },
);

it('tests the job on the Spark of the default EMR release', () => {
  // From the EMR release notes: the Spark version each release ships.
  const SPARK_OF_RELEASE: Record<string, string> = { 'emr-7.5.0': '3.5.2' };
  const release = ConfigSchema.parse({}).emr.releaseLabel;
  const requirements = fs.readFileSync(path.join(ROOT, 'requirements-dev.txt'), 'utf8');
  expect(requirements).toMatch(new RegExp(`^pyspark==${SPARK_OF_RELEASE[release]?.replace(/\./g, '\\.')}$`, 'm'));
});
