/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core (nothing
 * downloads a browser). The chart's marks are visible and sized by the data, the page fetches
 * nothing, and it fits a phone's width and prints with its chart. A screenshot is saved in the
 * test's temp folder, which is kept (and named) when the test fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { type HtmlDay, renderHtml } from '../../report/html';
import { requireTool } from '../support/ci';
import { NASTY_STRINGS } from '../support/nasty-strings';

const CHROMIUM = process.env.CLICKLOGGER_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = requireTool(`Chromium (${CHROMIUM}; apt-get install chromium)`, fs.existsSync(CHROMIUM));
const browserIt = hasChromium ? it : it.skip;

// Flags for a closed network: no background connections, no first-run work.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DAYS: HtmlDay[] = [
  { date: '2023-02-06', rows: [{ component: 'checkout', count: 120 }] },
  {
    date: '2023-02-07',
    rows: [
      { component: 'checkout', count: 300 },
      { component: 'search', count: 150 },
      { component: NASTY_STRINGS[0], count: 40 },
    ],
  },
  { date: '2023-02-08', rows: null, problem: 'missing' },
  {
    date: '2023-02-09',
    rows: [
      { component: 'checkout', count: 90 },
      { component: 'עברית\u202Eevil', count: 30 },
    ],
  },
  { date: '2023-02-10', rows: [{ component: '', count: 10 }] },
];
const BUSIEST = '2023-02-07';

interface Bar {
  date: string;
  total: number;
  height: number;
  marks: { width: number; height: number; visible: boolean }[];
}

let work: string;
let browser: Browser | undefined;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-browser-'));
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

browserIt(
  'shows the chart with each bar as tall as its day, the busiest day tallest, fetching nothing',
  async () => {
    let passed = false;
    try {
      const file = path.join(work, 'report.html');
      fs.writeFileSync(file, renderHtml(DAYS));
      const context = await browser!.newContext({ viewport: { width: 1000, height: 900 } });
      const page = await context.newPage();
      const fetched: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url === `file://${file}`) return route.continue();
        fetched.push(url);
        return route.abort();
      });
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => void dialogs.push(dialog.message()));
      await page.goto(`file://${file}`);

      // Runs in the page (a string: this project's TypeScript has no DOM types).
      const bars = await page.evaluate<
        Bar[]
      >(`[...document.querySelectorAll('svg.chart g.day:not(.missing)')].map((g) => ({
        date: g.getAttribute('data-date'),
        total: Number(g.getAttribute('data-total')),
        height: g.getBoundingClientRect().height,
        marks: [...g.querySelectorAll('rect.mark')].map((r) => {
          const box = r.getBoundingClientRect();
          const style = getComputedStyle(r);
          return { width: box.width, height: box.height, visible: style.visibility === 'visible' && style.display !== 'none' };
        }),
      }))`);
      expect(bars.map((b) => b.date)).toEqual(['2023-02-06', '2023-02-07', '2023-02-09', '2023-02-10']);
      for (const bar of bars) {
        expect(bar.marks.length).toBeGreaterThan(0);
        for (const mark of bar.marks)
          expect(mark).toEqual({ width: expect.any(Number), height: expect.any(Number), visible: true });
        expect(Math.min(...bar.marks.map((m) => Math.min(m.width, m.height)))).toBeGreaterThan(0);
      }
      const tallest = bars.reduce((a, b) => (b.height > a.height ? b : a));
      expect(tallest.date).toBe(BUSIEST);
      // Heights on screen follow the data: each bar's height over the busiest one's is its share.
      for (const bar of bars) expect(bar.height / tallest.height).toBeCloseTo(bar.total / tallest.total, 1);

      const missing = page.locator('svg.chart g.day.missing');
      expect(await missing.getAttribute('data-date')).toBe('2023-02-08');
      expect(await page.locator('svg.chart').getAttribute('role')).toBe('img');
      expect(await page.locator('svg.chart title#chart-1-title').textContent()).toBe(
        'Clicks per day by component from (no callerid)',
      );
      expect(await page.locator('h2.caller').textContent()).toBe('(no callerid)');
      // Client text stays text.
      expect(await page.locator('thead').textContent()).toContain(NASTY_STRINGS[0]);
      expect(await page.locator('script').count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(fetched).toEqual([]);

      const screenshot = path.join(work, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(fs.readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');

      // A phone's width: nothing wider than the window but the table, which scrolls in its box.
      await page.setViewportSize({ width: 360, height: 800 });
      const narrow = await page.evaluate<{ page: number; window: number; chart: number }>(`({
        page: document.documentElement.scrollWidth,
        window: window.innerWidth,
        chart: document.querySelector('svg.chart').getBoundingClientRect().width,
      })`);
      expect(narrow.page).toBeLessThanOrEqual(narrow.window);
      expect(narrow.chart).toBeLessThanOrEqual(narrow.window);

      // Printed: the chart keeps its marks, and the table shows whole.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('svg.chart rect.mark').first().isVisible()).toBe(true);
      expect(await page.evaluate(`getComputedStyle(document.querySelector('.table-wrap')).overflowX`)).toBe('visible');
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      await context.close();
      passed = true;
    } finally {
      if (passed) fs.rmSync(work, { recursive: true, force: true });
      // eslint-disable-next-line no-console -- where to look at the screenshot of a failed run
      else console.warn(`the page and its screenshot are kept in ${work}`);
    }
  },
  120_000,
);

browserIt(
  'keeps long and combining client strings inside their labels: no wider page, no accents over the chart',
  async () => {
    // Prepare: a 128-character component, and one letter carrying 63 combining accents.
    const long = 'x'.repeat(128);
    const stacked = `a${'\u0301'.repeat(63)}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-hostile-'));
    const file = path.join(dir, 'hostile.html');
    fs.writeFileSync(
      file,
      renderHtml([
        {
          date: '2023-02-07',
          rows: [
            { component: long, count: 5 },
            { component: stacked, count: 3 },
          ],
        },
      ]),
    );
    const context = await browser!.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.route('**/*', (route) =>
      route.request().url() === `file://${file}` ? route.continue() : route.abort(),
    );

    // Act
    await page.goto(`file://${file}`);
    const layout = await page.evaluate<{
      page: number;
      window: number;
      labels: { width: number; height: number; fontSize: number; clipped: boolean }[];
    }>(`({
      page: document.documentElement.scrollWidth,
      window: window.innerWidth,
      labels: [...document.querySelectorAll('bdi')].map((b) => {
        const box = b.getBoundingClientRect();
        const style = getComputedStyle(b);
        return { width: box.width, height: box.height, fontSize: parseFloat(style.fontSize),
          clipped: style.overflowX === 'hidden' && style.overflowY === 'hidden' };
      }),
    })`);
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });

    // Assert: the page keeps the window's width, and each label is one clipped line.
    expect(layout.page).toBeLessThanOrEqual(layout.window);
    expect(layout.labels.length).toBeGreaterThanOrEqual(4); // legend and table, both strings
    for (const label of layout.labels) {
      expect(label.clipped).toBe(true);
      expect(label.width).toBeLessThanOrEqual(layout.window / 2);
      expect(label.height).toBeLessThanOrEqual(label.fontSize * 2);
    }
  },
  60_000,
);
