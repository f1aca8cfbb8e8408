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
