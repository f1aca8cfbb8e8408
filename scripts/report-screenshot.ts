/**
 * Makes docs/report.png, the picture in docs/reports.md of `clicklogger report --html`: two weeks of
 * generated clicks (one day left without clicks, to show a missing day) go through
 * `clicklogger local`, then `clicklogger report --out … --html`, and Debian's Chromium
 * (playwright-core) takes the screenshot. Usage: npm run screenshot
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { dateRange } from '../cli/dates';
import type { Io } from '../cli/io';
import { main } from '../cli/main';
import { generateClicks } from '../local/input/samples';

const FROM = '2023-02-01';
const TO = '2023-02-14';
const MISSING = '2023-02-11';
const SCREENSHOT = path.resolve(__dirname, '..', 'docs', 'report.png');
const CHROMIUM = process.env.CLICKLOGGER_CHROMIUM ?? '/usr/bin/chromium';

/** Runs the CLI quietly; its error lines come with the failure. */
async function run(argv: string[]): Promise<void> {
  const errors: string[] = [];
  const io: Io = { out: () => undefined, err: (line) => void errors.push(line), progress: () => undefined, tty: false };
  const code = await main(argv, io);
  if (code !== 0) throw new Error(`clicklogger ${argv.join(' ')} exited ${code}: ${errors.join(' / ')}`);
}

async function screenshot(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-screenshot-'));
  try {
    const events = path.join(work, 'events.jsonl');
    const lines: string[] = [];
    dateRange(FROM, TO).forEach((date, day) => {
      if (date === MISSING) return;
      // A weekly rhythm with growth, so the chart has a trend to show.
      const count = 400 + day * 40 + (day % 7 === 5 || day % 7 === 6 ? -200 : 0);
      for (const chunk of generateClicks(date, count, 10_000, day + 1)) {
        for (const click of chunk) lines.push(JSON.stringify({ ...click, requestid: `${date}-${click.requestid}` }));
      }
    });
    fs.writeFileSync(events, `${lines.join('\n')}\n`);
    const out = path.join(work, 'out');
    const page = path.join(work, 'report.html');
    await run(['local', '--events', events, '--out', out]);
    await run(['report', '--out', out, '--from', FROM, '--to', TO, '--html', page]);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 960, height: 600 }, deviceScaleFactor: 1 });
      await tab.goto(`file://${page}`);
      await tab.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await browser.close();
    }
    process.stdout.write(`wrote ${path.relative(process.cwd(), SCREENSHOT)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

screenshot().catch((error: unknown) => {
  process.stderr.write(`report-screenshot: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
