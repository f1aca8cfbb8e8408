/** Every error path of `clicklogger local` exits non-zero with one line, and presents no result. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { captureIo } from '../support/io';

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-cli-'));
  fs.writeFileSync(path.join(work, 'bad.jsonl'), '{"requestid":"a"}\n{not json}\n');
  fs.writeFileSync(path.join(work, 'bad.json'), '[{"requestid":"a"},');
  fs.writeFileSync(path.join(work, 'object.json'), '   ');
  fs.writeFileSync(path.join(work, 'empty-array.json'), '\ufeff[ ]\r\n');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const file = (name: string) => path.join(work, name);

it.each([
  [['local', '--bogus'], 2, /^clicklogger: Unknown option '--bogus' \(usage: clicklogger local /],
  [['local', 'extra'], 2, /^clicklogger: Unexpected argument 'extra'/],
  [
    ['local', '--date', '2023-02-30'],
    2,
    /^clicklogger: --date must be a real date written YYYY-MM-DD, got "2023-02-30"$/,
  ],
  [['local', '--date', '2023-02-*'], 2, /got "2023-02-\*"$/],
  [
    ['local', '--events', 'x.jsonl', '--generate', '5', '--date', '2023-02-08'],
    2,
    /use --events or --generate, not both$/,
  ],
  [['local', '--generate', 'lots'], 2, /--generate must be a whole number from 1 to 100000000, got "lots"$/],
  [['local', '--generate', '0'], 2, /--generate must be a whole number/],
  [
    ['local', '--events', '/no/such/file.jsonl', '--date', '2023-02-08'],
    1,
    /^clicklogger: cannot read \/no\/such\/file\.jsonl: ENOENT$/,
  ],
  [['local', '--events', 'EMPTY', '--date', '2023-02-08'], 1, /object\.json holds no events$/],
  [['local', '--events', 'EMPTY_ARRAY', '--date', '2023-02-08'], 1, /empty-array\.json holds no events$/],
  [['local', '--out', ''], 2, /^clicklogger: --out must name a folder, got ""$/],
  [
    ['local', '--date', '2023-02-08', '--date', '2023-02-09'],
    2,
    /^clicklogger: --date is given twice, as "2023-02-08" and "2023-02-09"$/,
  ],
  [
    ['local', '--date', '0999-12-31'],
    2,
    /^clicklogger: --date must be from 1000-01-01 to 9999-12-31, the range createdtime accepts, got "0999-12-31"$/,
  ],
  [['run', '--date', '0999-12-31'], 2, /--date must be from 1000-01-01 to 9999-12-31/],
  [['local', '--engine', 'hadoop'], 2, /^clicklogger: --engine must be one of duckdb, spark, got "hadoop"$/],
  [['frobnicate'], 2, /^clicklogger: unknown command "frobnicate"/],
  [['run'], 2, /^clicklogger: --date or --from\/--to is required \(usage: clicklogger run /],
  [['report', '--date', 'today'], 2, /--date must be a real date/],
  [['send'], 2, /use --sample or --events FILE/],
])('%j exits %i with one line', async (argv, exitCode, message) => {
  const out = path.join(work, 'out');
  const args = argv.map((a) =>
    a === 'BAD_JSON'
      ? file('bad.json')
      : a === 'EMPTY'
        ? file('object.json')
        : a === 'EMPTY_ARRAY'
          ? file('empty-array.json')
          : a,
  );
  const io = captureIo();
  const code = await main([...args, ...(args[0] === 'local' && !args.includes('--out') ? ['--out', out] : [])], io);
  expect(code).toBe(exitCode);
  expect(io.stderr).toHaveLength(1);
  expect(io.stderr[0]).toMatch(message);
  expect(io.stdout.some((l) => l.startsWith('# Click report'))).toBe(false);
  expect(fs.existsSync(out)).toBe(false);
});

it('takes a broken JSON array up to its break, and stops in one line when nothing in it is a click', async () => {
  const out = path.join(work, 'out-bad-json');
  const io = captureIo();
  const code = await main(['local', '--events', file('bad.json'), '--date', '2023-02-08', '--out', out], io);
  expect(code).toBe(1);
  expect(io.stderr).toEqual([
    expect.stringMatching(
      /^clicklogger: nothing was accepted: .*not valid JSON at line 1, column 20 \(ValueExpected\).*made no report$/,
    ),
  ]);
  expect(io.stdout.some((l) => l.startsWith('# Click report'))).toBe(false);
});

describe('--engine spark without its runtime', () => {
  const saved = { ...process.env };
  afterEach(() => (process.env = { ...saved }));

  it.each([
    ['Java', 'JAVA_HOME', () => work, /^clicklogger: the Spark engine needs Java 17: install it .* set JAVA_HOME$/],
    [
      'pyspark',
      'CLICKLOGGER_PYTHON_ENV',
      () => path.join(work, 'no-venv'),
      /^clicklogger: the Spark engine needs pyspark from the project's Python environment: run `npm run python-env`/,
    ],
  ])('fails in one line that says how to get %s', async (_, variable, value, message) => {
    process.env[variable] = value();
    const out = path.join(work, 'out');
    const io = captureIo();
    expect(await main(['local', '--engine', 'spark', '--out', out], io)).toBe(1);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });

  it.each([
    ['25.0.1', 'openjdk version "25.0.1" 2025-10-21'],
    ['1.8.0_392', 'openjdk version "1.8.0_392"'],
  ])('refuses Java %s before anything is ingested, saying which Java it found', async (version, banner) => {
    // A JDK whose java only says its version, as `java -version` does: on stderr.
    const jdk = path.join(work, `jdk-${version}`);
    fs.mkdirSync(path.join(jdk, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(jdk, 'bin', 'java'), `#!/bin/sh\necho '${banner}' >&2\n`, { mode: 0o755 });
    process.env.JAVA_HOME = jdk;
    const out = path.join(work, 'out');
    const io = captureIo();
    expect(await main(['local', '--engine', 'spark', '--out', out], io)).toBe(1);
    expect(io.stderr).toEqual([
      `clicklogger: the Spark engine needs Java 17, the Java of Spark 3.5 on emr-7.5.0; JAVA_HOME (${jdk}) is Java ${version}`,
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });
});

it('prints the idle cost of the configured stack, $0 by default', async () => {
  const io = captureIo();
  expect(await main(['cost'], io)).toBe(0);
  expect(io.stdout[0]).toMatch(/^clicklogger-dev: idle cost \$0\.00\/month/);
  expect(io.stdout).toContainEqual(
    expect.stringMatching(/^ {2}the seed's design idles at \$32\.85\/month \(its NAT gateway\)/),
  );
});

it.each([
  ['local', '--help'],
  ['local', '-h'],
  ['send', '--help'],
  ['run', '-h'],
  ['report', '--help'],
  ['cost', '--help'],
])('%s %s prints its usage and exits 0', async (command, flag) => {
  const io = captureIo();
  expect(await main([command, flag], io)).toBe(0);
  expect(io.stdout[0]).toMatch(new RegExp(`^usage: clicklogger ${command} `));
  expect(io.stderr).toEqual([]);
});

it('prints usage and exits 0 for help', async () => {
  const io = captureIo();
  expect(await main(['help'], io)).toBe(0);
  expect(io.stdout[0]).toBe('usage: clicklogger <command> [flags]');
});

it('refuses an older Node in one line, before it reads or writes anything', () => {
  const cli = path.resolve(__dirname, '../../bin/clicklogger.js');
  const out = path.join(work, 'old-node-out');
  // As `node` on PATH would be when the CLI is started from outside the project.
  const asNode20 = "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });";
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      `${asNode20} process.argv.splice(1, 0, ${JSON.stringify(cli)}); require(${JSON.stringify(cli)})`,
      'local',
      '--out',
      out,
    ],
    { encoding: 'utf8' },
  );
  expect({ status: result.status, stderr: result.stderr }).toEqual({
    status: 1,
    stderr: expect.stringMatching(/^clicklogger: Node\.js 22 or newer is needed, this is 20\.20\.2; .*\n$/),
  });
  expect(fs.existsSync(out)).toBe(false);
});
