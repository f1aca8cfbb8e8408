/**
 * `clicklogger erase --engine spark`: the report job's own erase mode (spark/report_erase.py) on
 * local Spark, through the erase state machine, leaves the same rows as DuckDB's, reports the
 * days as a fresh run would, and suppresses her re-sent click.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pseudonymOf } from '../../core/privacy';
import { sparkRuntimeProblem } from '../../local/emr/spark-job';
import { PSEUDONYM_KEY_FILE } from '../../local/run/pseudonym-key-file';
import { requireTool } from '../support/ci';
import { ALICE, cli, DAYS, FIRST, local, OUTPUT, SECOND } from '../support/erase-scenario';
import { withoutProgress } from '../support/io';
import { storedClickLines } from '../support/stored-clicks';

const ready = requireTool("Spark (Java 17 and pyspark in the project's .venv)", sparkRuntimeProblem() === undefined);

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-erase-spark-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const response = (folder: string, date: string) =>
  fs.readFileSync(path.join(folder, OUTPUT, ...date.split('-'), 'response.md'), 'utf8');

(ready ? it : it.skip)(
  'erases her clicks on Spark as on DuckDB, reports the days as a fresh run would, and suppresses her re-sent click',
  async () => {
    // Prepare: the same two kept runs in two folders.
    const [bySpark, byDuckDb, fresh] = ['spark', 'duckdb', 'fresh'].map((name) => path.join(work, name));
    for (const folder of [bySpark, byDuckDb]) {
      await local(work, folder, FIRST, false);
      await local(work, folder, SECOND, true);
    }
    const alice = pseudonymOf(ALICE, fs.readFileSync(path.join(bySpark, PSEUDONYM_KEY_FILE)));
    const before = await storedClickLines(bySpark);
    expect(before.filter((row) => row.includes(alice))).toHaveLength(4);

    // Act
    const spark = await cli(['erase', '--user', ALICE, '--out', bySpark, '--engine', 'spark', '--yes']);
    const duckdb = await cli(['erase', '--user', ALICE, '--out', byDuckDb, '--yes']);

    // Assert
    expect(withoutProgress(spark.stderr)).toBe('');
    expect(spark.code).toBe(0);
    expect(duckdb.code).toBe(0);
    expect(spark.stdout).toContain('erase job (spark): SUBMITTED → RUNNING → SUCCESS');
    expect(spark.stdout).toMatch(new RegExp(`erase: removed 4 clicks of ${alice}; a scan of .* finds none left$`));
    const left = await storedClickLines(bySpark);
    expect(left).toEqual(before.filter((row) => !row.includes(alice)));
    // The pseudonym keys differ between the folders: compare what is left without the user column's pseudonyms.
    const anonymous = (rows: string[]) => rows.map((row) => row.replace(/u_[a-z2-7]{26}/g, 'u_*')).sort();
    expect(anonymous(left)).toEqual(anonymous(await storedClickLines(byDuckDb)));
    await local(
      work,
      fresh,
      [...FIRST, ...SECOND].filter((c) => c.user !== ALICE),
      false,
    );
    for (const date of DAYS) expect(response(bySpark, date)).toBe(response(fresh, date));

    const again = await local(work, bySpark, [{ ...FIRST[0], requestid: 'a1-again' }, FIRST[1]], true);
    expect(again.stdout).toContain('ingested: 1 accepted, 0 rejected, 0 failed, 1 suppressed (of 2)');
  },
  600_000,
);
