/** `clicklogger erase` on a local run's folder: one person's clicks gone, everyone else's untouched. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pseudonymOf } from '../../core/privacy';
import { ERASURE } from '../../core/contracts';
import { PSEUDONYM_KEY_FILE } from '../../local/run/pseudonym-key-file';
import { SUPPRESSION_LIST } from '../../local/run/suppression-list';
import { ALICE, cli, click, DAYS, FIRST, local, OUTPUT, SECOND } from '../support/erase-scenario';
import { storedClickLines } from '../support/stored-clicks';

let work: string;
let out: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-erase-'));
  out = path.join(work, 'out');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const response = (folder: string, date: string) =>
  fs.readFileSync(path.join(folder, OUTPUT, ...date.split('-'), 'response.md'), 'utf8');

async function twoKeptRuns(): Promise<string> {
  await local(work, out, FIRST, false);
  await local(work, out, SECOND, true);
  return pseudonymOf(ALICE, fs.readFileSync(path.join(out, PSEUDONYM_KEY_FILE)));
}

it("removes every click of hers, leaves everyone else's as they were, and re-reports the days as a fresh run would", async () => {
  // Prepare
  const alice = await twoKeptRuns();
  const before = await storedClickLines(out);
  expect(before.filter((row) => row.includes(alice))).toHaveLength(4);

  // Act
  const run = await cli(['erase', '--user', ALICE, '--out', out, '--yes']);

  // Assert
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    `erase: will remove 4 clicks of ${alice} from 4 files on ${DAYS[0]} to ${DAYS[2]} (3 days), then report those days again`,
  );
  expect(run.stdout).toContain(`reconciled: 4 accepted = 4 stored = 4 counted + 0 duplicates (${DAYS.join(', ')})`);
  expect(run.stdout).toMatch(new RegExp(`erase: removed 4 clicks of ${alice}; a scan of .* finds none left$`));
  expect(await storedClickLines(out)).toEqual(before.filter((row) => !row.includes(alice)));
  // A fresh run over everyone else's clicks reports the same days the same.
  const fresh = path.join(work, 'fresh');
  await local(
    work,
    fresh,
    [...FIRST, ...SECOND].filter((c) => c.user !== ALICE),
    false,
  );
  for (const date of DAYS) expect(response(out, date)).toBe(response(fresh, date));
});

it('logs the erasure by pseudonym: the days, the files rewritten, the rows, the time; never the name', async () => {
  const alice = await twoKeptRuns();
  await cli(['erase', '--user', ALICE, '--out', out, '--yes']);
  const logDir = path.join(out, OUTPUT, ERASURE.logPrefix);
  const [name, ...more] = fs.readdirSync(logDir);
  expect(more).toEqual([]);
  expect(name).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z-${alice}\\.json$`));
  const log = fs.readFileSync(path.join(logDir, name), 'utf8');
  const record = JSON.parse(log) as Record<string, unknown>;
  expect(record).toMatchObject({ subject: alice, days: DAYS, rows: 4, left: 0, time: expect.stringMatching(/Z$/) });
  expect(record.files).toHaveLength(4);
  expect(log).not.toContain('alice');
});

it('erases one visit by its contextid, within a range of days', async () => {
  await twoKeptRuns();
  const before = await storedClickLines(out);
  const run = await cli([
    'erase',
    '--contextid',
    'visit-bob',
    '--from',
    DAYS[1],
    '--to',
    DAYS[1],
    '--out',
    out,
    '--yes',
  ]);
  expect(run.code).toBe(0);
  const left = await storedClickLines(out);
  expect(left.filter((row) => row.includes('"visit-bob"') && row.includes(DAYS[1]))).toEqual([]);
  expect(left.filter((row) => row.includes('"visit-bob"'))).toHaveLength(2);
  expect(left).toHaveLength(before.length - 2);
});

it('asks first: without --yes and no terminal, it removes nothing and says how to confirm', async () => {
  await twoKeptRuns();
  const before = await storedClickLines(out);
  const run = await cli(['erase', '--user', ALICE, '--out', out]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^clicklogger: remove 4 clicks of u_[a-z2-7]{26} .*: add --yes to confirm/);
  expect(await storedClickLines(out)).toEqual(before);
});

it('says there is nothing to remove when she has no clicks left, and exits 0', async () => {
  const alice = await twoKeptRuns();
  expect((await cli(['erase', '--user', ALICE, '--out', out, '--yes'])).code).toBe(0);
  const again = await cli(['erase', '--user', ALICE, '--out', out, '--yes']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`erase: no clicks of ${alice} in `);
});

it.each([
  [['--out', 'x'], 'name the person with one of --user or --contextid'],
  [['--user', 'a', '--contextid', 'b'], 'name the person with one of --user or --contextid'],
  [['--user', 'a', '--from', '2023-02-10', '--to', '2023-02-01'], '--from 2023-02-10 is after --to 2023-02-01'],
  [['--user', 'a', '--from', 'yesterday'], '--from must be a date written YYYY-MM-DD, got "yesterday"'],
])('refuses %j in one line, exit 2', async (args, message) => {
  const run = await cli(['erase', ...args]);
  expect(run.code).toBe(2);
  expect(run.stderr.split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(message);
});

it('drops her later and re-sent clicks at the next run, as suppressed, and stores everyone else’s', async () => {
  // Prepare
  const alice = await twoKeptRuns();
  expect((await cli(['erase', '--user', ALICE, '--out', out, '--yes'])).code).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(out, SUPPRESSION_LIST), 'utf8'))).toEqual({ suppressed: [alice] });

  // Act: one of hers re-sent, one new of hers, one of bob's.
  const file = path.join(work, 'later.jsonl');
  const later = [FIRST[0], click('a9', DAYS[2], ALICE, 'login'), click('b9', DAYS[2], 'bob', 'login')];
  fs.writeFileSync(file, later.map((e) => JSON.stringify(e)).join('\n'));
  const run = await cli(['local', '--keep', '--events', file, '--out', out]);

  // Assert
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('ingested: 1 accepted, 0 rejected, 0 failed, 2 suppressed (of 3)');
  expect(run.stdout).toMatch(/^reconciled: .*; 2 suppressed \(erased people's, not stored\)$/m);
  expect((await storedClickLines(out)).filter((row) => row.includes(alice))).toEqual([]);
  expect((await storedClickLines(out)).filter((row) => row.includes('"b9"'))).toHaveLength(1);
});
