/**
 * The HTML report end to end, as a user runs it from a clone, under strace: `npx clicklogger
 * local --events E --out O`, then `npx clicklogger report --out O --from … --to … --html T`.
 * The page has an inline SVG and each day's totals, and neither command opens a network
 * connection (no connect() to an IPv4 or IPv6 address, by any process or thread).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireTool } from '../support/ci';
import { EVENTS_FILE, EXPECTED_DATES } from '../support/report-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const OUTPUT = 'us-east-1-clicklogger-dev-loggregator-output-000000000000';
const DAYS = ['2023-02-07', '2023-02-08', '2023-02-09'];
const hasStrace = requireTool('strace', spawnSync('strace', ['-V']).status === 0);

let work: string;
beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-html-e2e-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs `npx clicklogger …` from the checkout under strace; returns its output and every network connect(). */
function clicklogger(name: string, args: string[]) {
  const trace = path.join(work, `${name}.strace`);
  const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=connect', '-o', trace, 'npx', 'clicklogger', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', npm_config_offline: 'true' },
    timeout: 240_000,
  });
  const connects = fs
    .readFileSync(trace, 'utf8')
    .split('\n')
    .filter((line) => /connect\(.*sa_family=AF_INET6?\b/.test(line));
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, connects };
}

(hasStrace ? it : it.skip)(
  'draws the days of a local run into one page, without any network connection',
  () => {
    expect(EXPECTED_DATES).toEqual(expect.arrayContaining(DAYS));
    const out = path.join(work, 'O');
    const page = path.join(work, 'T.html');

    const local = clicklogger('local', ['local', '--events', EVENTS_FILE, '--out', out]);
    expect({ status: local.status, stderr: local.stderr, connects: local.connects }).toEqual({
      status: 0,
      stderr: '',
      connects: [],
    });
    const report = clicklogger('report', ['report', '--out', out, '--from', DAYS[0], '--to', DAYS[2], '--html', page]);
    expect(report).toEqual({ status: 0, stdout: `wrote ${page}: 3 of 3 days reported\n`, stderr: '', connects: [] });

    const html = fs.readFileSync(page, 'utf8');
    expect(html).toMatch(/<svg class="chart"[^>]*role="img"/);
    // A section per caller, each day drawn in each: its clicks add up to the day's report.json.
    const reports = DAYS.map(
      (date) =>
        JSON.parse(fs.readFileSync(path.join(out, OUTPUT, ...date.split('-'), 'report.json'), 'utf8')) as {
          total: number;
          rows: { callerid: string }[];
        },
    );
    const callers = new Set(reports.flatMap((json) => json.rows.map((row) => row.callerid)));
    expect(callers.size).toBeGreaterThan(1);
    expect(html.match(/<h2 class="caller">/g)).toHaveLength(callers.size);
    let total = 0;
    for (const [i, date] of DAYS.entries()) {
      expect(reports[i].total).toBeGreaterThan(0);
      const drawn = [...html.matchAll(new RegExp(`<g class="day" data-date="${date}" data-total="(\\d+)">`, 'g'))];
      expect(drawn).toHaveLength(callers.size);
      expect(drawn.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(reports[i].total);
      total += reports[i].total;
    }
    expect(html).toContain(`<p class="summary">${total} clicks from ${callers.size} callers on 3 reported days.</p>`);
  },
  600_000,
);
