/**
 * Personal data in a local run: nothing under --out (Parquet values, error-prefix records, the
 * ledger, any other file) and nothing the run prints holds a full address or a user name, unless
 * the stack is told to keep them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../../cli/main';
import { pseudonymOf } from '../../core/privacy';
import { PSEUDONYM_KEY_FILE } from '../../local/run/pseudonym-key-file';
import { captureIo } from '../support/io';

const RAW = 'us-east-1-clicklogger-dev-firehose-delivery-000000000000';
const IPV4 = '203.0.113.77';
const IPV6 = '2001:db8:abcd:12:1:2:3:4';
const USER = 'alice@example.com';
const PERSONAL = [IPV4, IPV6, '2001:db8:abcd:12', USER, 'example.com'];

let work: string;
let out: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-privacy-'));
  out = path.join(work, 'out');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const click = (i: number, extra: Record<string, string>) => ({
  requestid: `privacy-${i}`,
  contextid: 'visit-1',
  callerid: 'ShopTest',
  component: 'checkout',
  action: 'click',
  type: 'button',
  createdtime: '2023-02-08T10:00:00Z',
  ...extra,
});
const EVENTS = [
  click(1, { clientip: IPV4, user: USER }),
  click(2, { clientip: IPV6, user: USER }),
  click(3, { clientip: 'not an address' }),
];

/** Runs `clicklogger local` on EVENTS with these privacy settings in the environment. */
async function run(env: Record<string, string> = {}) {
  const file = path.join(work, 'events.jsonl');
  fs.writeFileSync(file, EVENTS.map((e) => JSON.stringify(e)).join('\n'));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const io = captureIo();
    const code = await main(['local', '--events', file, '--out', out], io);
    expect({ code, stderr: io.stderr }).toEqual({ code: 0, stderr: [] });
    return [...io.stdout, ...io.stderr].join('\n');
  } finally {
    for (const name of Object.keys(env)) if (saved[name] === undefined) delete process.env[name];
  }
}

/** The clientip and user columns of every stored click, in requestid order. */
async function stored(): Promise<[string, string][]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const glob = path.join(out, RAW, '**', '*.parquet').replaceAll("'", "''");
    const reader = await connection.runAndReadAll(
      `SELECT clientip, "user" FROM read_parquet('${glob}') ORDER BY requestid`,
    );
    return reader.getRows() as [string, string][];
  } finally {
    instance.closeSync();
  }
}

/** Every personal value found in the bytes of any file under --out, by file. */
function personalDataInFiles(): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(file);
    for (const value of PERSONAL) if (bytes.includes(value)) found.push(`${path.relative(out, file)}: ${value}`);
  }
  return found;
}

it('by default stores each address cut to its network and each user as a pseudonym, and prints neither', async () => {
  // Act
  const printed = await run();

  // Assert
  const key = fs.readFileSync(path.join(out, PSEUDONYM_KEY_FILE));
  expect(key).toHaveLength(32);
  expect(fs.statSync(path.join(out, PSEUDONYM_KEY_FILE)).mode & 0o777).toBe(0o600);
  const alice = pseudonymOf(USER, key);
  expect(await stored()).toEqual([
    ['203.0.113.0', alice],
    ['2001:db8:abcd::', alice],
    ['APIGWY', 'GUEST'],
  ]);
  expect(personalDataInFiles()).toEqual([]);
  for (const value of PERSONAL) expect(printed).not.toContain(value);
});

it('keeps the pseudonym of a user the same from one run to the next', async () => {
  await run();
  const first = await stored();
  await run();
  expect(await stored()).toEqual(first);
});

it('drops both to the seed placeholders when told to', async () => {
  await run({ CLICKLOGGER_CLIENT_IP: 'drop', CLICKLOGGER_USER: 'drop' });
  expect(await stored()).toEqual([
    ['APIGWY', 'GUEST'],
    ['APIGWY', 'GUEST'],
    ['APIGWY', 'GUEST'],
  ]);
  expect(fs.existsSync(path.join(out, PSEUDONYM_KEY_FILE))).toBe(false);
  expect(personalDataInFiles()).toEqual([]);
});

it('stores both as sent when told to keep them (and the scan above finds them then)', async () => {
  await run({ CLICKLOGGER_CLIENT_IP: 'keep', CLICKLOGGER_USER: 'keep' });
  expect(await stored()).toEqual([
    [IPV4, USER],
    [IPV6, USER],
    ['not an address', 'GUEST'],
  ]);
  expect(personalDataInFiles().length).toBeGreaterThan(0);
});

describe('raw retention in a kept folder', () => {
  const LEDGER = 'accepted-clicks.json';
  const partition = (date: string) => path.join(out, RAW, 'clicklog', `data=${date}`);

  async function local(events: unknown[], keep: boolean) {
    const file = path.join(work, `events-${keep}.jsonl`);
    fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const io = captureIo();
    const code = await main(['local', '--events', file, '--out', out, ...(keep ? ['--keep'] : [])], io);
    return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
  }

  it('removes raw files older than rawRetentionDays when a --keep run starts, says so, and keeps the reports', async () => {
    // Prepare: a day stored, its files then made 400 days old.
    expect((await local(EVENTS, false)).code).toBe(0);
    const old = new Date(Date.now() - 400 * 86_400_000);
    const files = fs.readdirSync(partition('2023-02-08')).map((name) => path.join(partition('2023-02-08'), name));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) fs.utimesSync(file, old, old);

    // Act: a later run keeps the folder.
    const later = EVENTS.map((e, i) => ({ ...e, requestid: `later-${i}`, createdtime: '2023-02-09T10:00:00Z' }));
    const run = await local(later, true);

    // Assert
    expect(run.code).toBe(0);
    expect(run.stderr).toEqual([
      `clicklogger: removed ${files.length} raw file${files.length === 1 ? '' : 's'} written more than 395 days ago (rawRetentionDays), with 3 clicks of 1 day`,
    ]);
    expect(fs.readdirSync(partition('2023-02-08'))).toEqual([]);
    const ledger = JSON.parse(fs.readFileSync(path.join(out, LEDGER), 'utf8')) as { accepted: object };
    expect(ledger.accepted).toEqual({ '2023-02-09': 3 });
    expect(run.stdout).toContain('reconciled: 3 accepted = 3 stored = 3 counted + 0 duplicates (2023-02-09)');
    const report = path.join(out, 'us-east-1-clicklogger-dev-loggregator-output-000000000000', '2023', '02', '08');
    expect(fs.existsSync(path.join(report, 'response.md'))).toBe(true);
  });

  it('removes nothing that is younger, and says nothing', async () => {
    expect((await local(EVENTS, false)).code).toBe(0);
    const run = await local(
      EVENTS.map((e, i) => ({ ...e, requestid: `again-${i}` })),
      true,
    );
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout).toContain('reconciled: 6 accepted = 6 stored = 6 counted + 0 duplicates (2023-02-08)');
  });
});
