/**
 * `clicklogger report` over a range of days: markdown to stdout, or one HTML page, from a local
 * run's folder (--out) or a stage's output bucket (--stage); missing and broken days marked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/main';
import { renderJson, renderMarkdown } from '../../report/markdown';
import { captureIo } from '../support/io';
import { STACK_OUTPUTS } from '../support/stack-outputs';

const OUTPUT = 'us-east-1-clicklogger-dev-loggregator-output-000000000000';
const s3 = mockClient(S3Client);
let work: string;
let out: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-report-cmd-'));
  out = path.join(work, 'out');
  s3.reset();
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const rows = (date: string, counts: Record<string, number>) =>
  Object.entries(counts).map(([component, count]) => ({
    createdTime: date,
    callerid: 'App',
    component,
    count,
    duplicates: 0,
  }));
const READ = { files: 1, rows: 1, newest: null, digest: 'd'.repeat(64) };

function dayDir(date: string): string {
  const dir = path.join(out, OUTPUT, ...date.split('-'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
function writeDay(date: string, counts: Record<string, number>): void {
  const dir = dayDir(date);
  fs.writeFileSync(path.join(dir, 'report.json'), renderJson(date, rows(date, counts), READ));
  fs.writeFileSync(path.join(dir, 'response.md'), renderMarkdown(date, rows(date, counts)));
}

async function report(...argv: string[]) {
  const io = captureIo();
  const code = await main(['report', ...argv], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('--html from a local run', () => {
  it('draws each day, marks missing and broken days, and says so', async () => {
    writeDay('2023-02-07', { checkout: 3, search: 1 });
    writeDay('2023-02-09', { checkout: 9 });
    fs.writeFileSync(path.join(dayDir('2023-02-10'), 'report.json'), '{"date":"2023-02-10","rows":[{"compo');
    fs.writeFileSync(path.join(dayDir('2023-02-11'), 'report.json'), '{"date":"2023-02-11","rows":[{"count":-1}]}');
    const page = path.join(work, 'trend.html');
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-11', '--html', page);
    expect(result).toEqual({
      code: 0,
      stdout: [`wrote ${page}: 2 of 5 days reported`],
      stderr: [
        'no report for 2023-02-08: missing',
        'no report for 2023-02-10: report.json is not valid JSON',
        'no report for 2023-02-11: report.json is not a clicklogger report (Invalid input: expected string, received undefined at rows.0.component)',
      ],
    });
    const html = fs.readFileSync(page, 'utf8');
    expect(html).toContain('<g class="day" data-date="2023-02-07" data-total="4">');
    expect(html).toContain('<g class="day" data-date="2023-02-09" data-total="9">');
    expect(html).toContain('<g class="day missing" data-date="2023-02-08">');
    expect(html).toContain('no report: report.json is not valid JSON');
    expect(html).toContain('<td>13</td></tr></tfoot>');
    expect(fs.readdirSync(work).sort()).toEqual(['out', 'trend.html']); // no draft left beside it
  });

  it('marks a day whose report.json cannot be read', async () => {
    writeDay('2023-02-07', { a: 1 });
    fs.mkdirSync(path.join(dayDir('2023-02-08'), 'report.json'));
    const page = path.join(work, 'p.html');
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-08', '--html', page);
    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([expect.stringMatching(/^no report for 2023-02-08: unreadable: EISDIR/)]);
    expect(fs.readFileSync(page, 'utf8')).toMatch(/<td colspan="2">no report: unreadable: EISDIR/);
  });

  it("keeps each caller apart: two applications' clicks of one component are never merged", async () => {
    const dir = dayDir('2023-02-07');
    const twoCallers = [
      ...rows('2023-02-07', { checkout: 3 }),
      ...rows('2023-02-07', { checkout: 5 }).map((r) => ({ ...r, callerid: 'Admin' })),
    ];
    fs.writeFileSync(path.join(dir, 'report.json'), renderJson('2023-02-07', twoCallers, READ));
    const page = path.join(work, 'callers.html');
    expect((await report('--out', out, '--date', '2023-02-07', '--html', page)).code).toBe(0);
    const html = fs.readFileSync(page, 'utf8');
    expect([...html.matchAll(/<h2 class="caller"><bdi>([^<]+)<\/bdi><\/h2>/g)].map((m) => m[1])).toEqual([
      'Admin',
      'App',
    ]);
    expect(html).toContain('8 clicks from 2 callers on 1 reported day.');
  });

  it('replaces an existing page whole', async () => {
    writeDay('2023-02-07', { a: 1 });
    const page = path.join(work, 'trend.html');
    fs.writeFileSync(page, 'old page');
    const hardLink = path.join(work, 'old-link.html');
    fs.linkSync(page, hardLink);
    expect((await report('--out', out, '--date', '2023-02-07', '--html', page)).code).toBe(0);
    expect(fs.readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    // A new file took the name (a rename), rather than the old one being rewritten in place.
    expect(fs.readFileSync(hardLink, 'utf8')).toBe('old page');
  });

  it('writes through a symbolic link to its target, and keeps the link', async () => {
    writeDay('2023-02-07', { a: 1 });
    const target = path.join(work, 'site', 'trend.html');
    fs.mkdirSync(path.dirname(target));
    fs.writeFileSync(target, 'old page');
    const link = path.join(work, 'link.html');
    fs.symlinkSync(target, link);

    const result = await report('--out', out, '--date', '2023-02-07', '--html', link);

    expect(result.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['trend.html']);
  });

  it('refuses in one line a path that is not a regular file (a link to a device)', async () => {
    writeDay('2023-02-07', { a: 1 });
    const link = path.join(work, 'null.html');
    fs.symlinkSync('/dev/null', link);

    const result = await report('--out', out, '--date', '2023-02-07', '--html', link);

    expect(result).toEqual({
      code: 2,
      stdout: [],
      stderr: [`clicklogger: --html ${link} is not a regular file (it leads to /dev/null); give a file's path`],
    });
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('says in one line when it cannot write the page, and leaves no draft', async () => {
    writeDay('2023-02-07', { a: 1 });
    fs.mkdirSync(path.join(work, 'page.html'));
    const result = await report('--out', out, '--date', '2023-02-07', '--html', path.join(work, 'page.html'));
    expect(result.code).toBe(2);
    expect(result.stderr).toEqual([
      expect.stringMatching(/^clicklogger: --html .*page\.html is not a regular file; give a file's path$/),
    ]);
    expect(fs.readdirSync(work).sort()).toEqual(['out', 'page.html']);
  });
});

describe('bad input: one line, exit code, no page', () => {
  it.each([
    [['--from', '2023-02-09', '--to', '2023-02-07'], 2, /^clicklogger: --from 2023-02-09 is after --to 2023-02-07$/],
    [
      ['--from', '2022-01-01', '--to', '2023-01-02'],
      2,
      /^clicklogger: --from 2022-01-01 --to 2023-01-02 covers 367 days; at most 366 at a time$/,
    ],
    [['--from', '2023-02-07'], 2, /^clicklogger: --from and --to go together/],
    [
      ['--from', '2023-02-30', '--to', '2023-03-01'],
      2,
      /--from must be a real date written YYYY-MM-DD, got "2023-02-30"/,
    ],
    [['--date', '2023-02-07', '--stage', 'dev'], 2, /not both/],
  ])('refuses %j', async (argv, code, message) => {
    writeDay('2023-02-07', { a: 1 });
    const page = path.join(work, 'page.html');
    const result = await report('--out', out, ...argv, '--html', page);
    expect(result).toEqual({ code, stdout: [], stderr: [expect.stringMatching(message)] });
    expect(fs.existsSync(page)).toBe(false);
  });

  it('refuses an --out folder without reports, and one that does not exist', async () => {
    fs.mkdirSync(out);
    let result = await report('--out', out, '--date', '2023-02-07', '--html', path.join(work, 'p.html'));
    expect(result.stderr).toEqual([
      `clicklogger: ${out} holds no reports: it is not the --out folder of a clicklogger local run`,
    ]);
    result = await report(
      '--out',
      path.join(work, 'nope'),
      '--date',
      '2023-02-07',
      '--html',
      path.join(work, 'p.html'),
    );
    expect(result.stderr).toEqual([
      `clicklogger: --out ${path.join(work, 'nope')} is not a folder; give the folder a local run wrote (clicklogger local --out DIR, default .clicklogger)`,
    ]);
    expect(result.code).toBe(2);
  });

  it('never makes a folder for --html: a missing one is refused in one line', async () => {
    writeDay('2023-02-07', { a: 1 });
    const page = path.join(work, 'no', 'such', 'page.html');
    const result = await report('--out', out, '--date', '2023-02-07', '--html', page);
    expect(result).toEqual({
      code: 2,
      stdout: [],
      stderr: [
        `clicklogger: --html ${page}: the folder ${path.dirname(page)} does not exist; make it, or give a path in one`,
      ],
    });
    expect(fs.existsSync(path.join(work, 'no'))).toBe(false);
  });

  it('writes the page to standard output for --html -, and what it reported to standard error', async () => {
    writeDay('2023-02-07', { a: 1 });
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-08', '--html', '-');
    expect(result.code).toBe(0);
    expect(result.stdout.join('\n')).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>$/);
    expect(result.stderr).toEqual(['1 of 2 days reported', expect.stringMatching(/^no report for 2023-02-08: /)]);
    expect(fs.readdirSync(work)).toEqual(['out']);
  });

  it('refuses a range where no day has a report, naming a broken one', async () => {
    fs.writeFileSync(path.join(dayDir('2023-02-08'), 'report.json'), 'not json');
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-08', '--html', 'x.html');
    expect(result).toEqual({
      code: 1,
      stdout: [],
      stderr: [
        `clicklogger: no report for 2023-02-07 to 2023-02-08 in ${path.join(out, OUTPUT)} (2023-02-08: report.json is not valid JSON)`,
      ],
    });
  });

  it('refuses a markdown range where no day has a report, as --html does', async () => {
    dayDir('2023-02-07');
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-08');
    expect(result).toEqual({
      code: 1,
      stdout: [],
      stderr: [`clicklogger: no report for 2023-02-07 to 2023-02-08 in ${path.join(out, OUTPUT)}`],
    });
  });

  it('marks a report of another day as broken', async () => {
    writeDay('2023-02-07', { a: 1 });
    const dir = dayDir('2023-02-08');
    fs.copyFileSync(path.join(dayDir('2023-02-07'), 'report.json'), path.join(dir, 'report.json'));
    const page = path.join(work, 'p.html');
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-08', '--html', page);
    expect(result.stderr).toEqual(['no report for 2023-02-08: report.json is the report of 2023-02-07']);
  });
});

describe('markdown (no --html)', () => {
  it('prints each day of a range, and says which have no report', async () => {
    writeDay('2023-02-07', { a: 1 });
    writeDay('2023-02-09', { b: 2 });
    const result = await report('--out', out, '--from', '2023-02-07', '--to', '2023-02-09');
    expect(result.code).toBe(0);
    expect(result.stdout.join('\n')).toBe(
      [
        renderMarkdown('2023-02-07', rows('2023-02-07', { a: 1 })).trimEnd(),
        '',
        'No report for 2023-02-08 (missing).',
        '',
        renderMarkdown('2023-02-09', rows('2023-02-09', { b: 2 })).trimEnd(),
      ].join('\n'),
    );
  });

  it('fails for one missing day, saying where it looked', async () => {
    writeDay('2023-02-07', { a: 1 });
    const result = await report('--out', out, '--date', '2023-02-08');
    expect(result).toEqual({
      code: 1,
      stdout: [],
      stderr: [`clicklogger: no report for 2023-02-08 at ${path.join(out, OUTPUT, '2023', '02', '08', 'response.md')}`],
    });
  });
});

describe('--stage: the output bucket', () => {
  let outputsFile: string;
  beforeEach(() => {
    outputsFile = path.join(work, 'outputs.json');
    fs.writeFileSync(outputsFile, JSON.stringify(STACK_OUTPUTS));
    process.env.CLICKLOGGER_OUTPUTS_FILE = outputsFile;
  });
  afterEach(() => delete process.env.CLICKLOGGER_OUTPUTS_FILE);

  it('reads each day’s report.json and marks the days without one', async () => {
    const bucket = STACK_OUTPUTS['clicklogger-dev'].output_bucket;
    const body = (text: string) => ({ transformToString: async () => text });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));
    s3.on(GetObjectCommand, { Bucket: bucket, Key: '2023/02/08/report.json' }).resolves({
      Body: body(renderJson('2023-02-08', rows('2023-02-08', { cart: 5 }), READ)) as never,
    });
    const page = path.join(work, 'p.html');
    const result = await report('--stage', 'dev', '--from', '2023-02-07', '--to', '2023-02-09', '--html', page);
    expect(result).toEqual({
      code: 0,
      stdout: [`wrote ${page}: 1 of 3 days reported`],
      stderr: ['no report for 2023-02-07: missing', 'no report for 2023-02-09: missing'],
    });
    expect(
      s3
        .commandCalls(GetObjectCommand)
        .map((c) => c.args[0].input.Key)
        .sort(),
    ).toEqual(['2023/02/07/report.json', '2023/02/08/report.json', '2023/02/09/report.json']);
    expect(fs.readFileSync(page, 'utf8')).toContain('data-date="2023-02-08" data-total="5"');
  });

  it('stops in one line when the bucket cannot be read at all', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const result = await report('--stage', 'dev', '--from', '2023-02-07', '--to', '2023-02-09', '--html', 'p.html');
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      expect.stringMatching(
        /^clicklogger: cannot read s3:\/\/.*\/2023\/02\/0\d\/report\.json: AccessDenied: Access Denied$/,
      ),
    ]);
  });
});
