/**
 * The tracker in a real browser (Debian's Chromium through playwright-core), sending to
 * `clicklogger serve` from a page on another loopback origin. Nothing leaves the loopback: every
 * other address goes to a proxy that does not exist. What the report counts after `serve` stops
 * is the check: each click once, however often the tracker had to send it.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { requireTool } from '../../support/ci';
import { reportedCounts, storedReportCounts, type ServeProcess, startServe } from '../../support/serve-process';

const CHROMIUM = process.env.CLICKLOGGER_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = requireTool(`Chromium (${CHROMIUM}; apt-get install chromium)`, fs.existsSync(CHROMIUM));
const browserIt = hasChromium ? it : it.skip;

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Loopback goes direct (Chromium never proxies it); every other address meets a closed port.
  '--proxy-server=http://127.0.0.1:9',
];
const QUEUE_KEY = 'clicklogger:queue';
const STEP_MS = 90_000;

/** `data-NAME="VALUE"` for each of `names` that the page's query sets. */
const attributes = (url: URL, names: string[]) =>
  names
    .filter((name) => url.searchParams.has(name))
    .map((name) => `data-${name}="${url.searchParams.get(name)}"`)
    .join(' ');

/** A site on its own loopback origin: `/shop?page=NAME&buttons=N` loads the tracker from `serve`. */
function startSite(): Promise<{ origin: string; collector: { origin: string }; close(): Promise<void> }> {
  const collector = { origin: '' };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/shop') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>bye</p>');
      return;
    }
    const buttons = Array.from(
      { length: Number(url.searchParams.get('buttons') ?? 0) },
      (_, i) =>
        `<button id="b${i + 1}" data-clicklogger-component="${url.searchParams.get('prefix')}-${i + 1}">${i + 1}</button>`,
    ).join('');
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head>
<script src="${collector.origin}/clicklogger.min.js" data-endpoint="${collector.origin}/clicks" data-callerid="ShopTest"
 data-clicklogger-page="${url.searchParams.get('page')}" ${attributes(url, ['user', 'gpc'])} defer></script></head>
<body>${buttons}<a id="leave" href="/bye" data-clicklogger-component="leave">leave</a></body></html>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        collector,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

let browser: Browser | undefined;
let work: string;
let site: Awaited<ReturnType<typeof startSite>>;
let context: BrowserContext;
let serve: ServeProcess | undefined;
const offLoopback: string[] = [];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-tracker-'));
  site = await startSite();
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
  fs.rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  if (!browser) return;
  context = await browser.newContext();
  context.on('request', (request) => {
    const { hostname } = new URL(request.url());
    if (hostname !== '127.0.0.1' && hostname !== 'localhost') offLoopback.push(request.url());
  });
});
afterEach(async () => {
  await context?.close();
  if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
  serve = undefined;
  expect(offLoopback).toEqual([]);
});

async function serveFor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  serve = await startServe(args, { POWERTOOLS_LOG_LEVEL: 'SILENT', ...env });
  site.collector.origin = serve.origin;
  return serve;
}

/** Waits until `read()` satisfies `done`, or fails with the last value it read. */
async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs JavaScript in the page (the tracker's API is on window there). */
const inPage = (page: Page, script: string) => page.evaluate(script);

/** Clicks waiting in the page's queue (sent and unanswered ones included). */
const queued = async (page: Page) =>
  Number(await page.evaluate(`JSON.parse(localStorage.getItem(${JSON.stringify(QUEUE_KEY)}) ?? '[]').length`));
const accepted = (process: ServeProcess) =>
  [...process.stdout().matchAll(/(\d+) accepted/g)].reduce((n, m) => n + Number(m[1]), 0);

async function stopAndReport(process: ServeProcess): Promise<{ code: number | null; stdout: string }> {
  const code = await process.stop();
  return { code, stdout: process.stdout() };
}

browserIt(
  'counts 20 clicks, one more made while leaving, and the page load, each once',
  async () => {
    const collector = await serveFor(['--port', '0', '--out', path.join(work, 'once'), '--allow-origin', site.origin]);
    const page = await context.newPage();
    await page.goto(`${site.origin}/shop?page=shop&buttons=20&prefix=item`);
    await page.waitForFunction("'clicklogger' in window");
    for (let i = 1; i <= 20; i++) await page.click(`#b${i}`);
    // The 21st click, and away at once: it goes out with keepalive as the page hides.
    await Promise.all([page.waitForURL('**/bye'), page.click('#leave')]);
    await until(
      () => accepted(collector),
      (n) => n >= 22,
      30_000,
    );
    const { code, stdout } = await stopAndReport(collector);
    expect(code).toBe(0);
    const counts = reportedCounts(stdout);
    const expected = new Map([
      ['shop', 1],
      ['leave', 1],
      ...Array.from({ length: 20 }, (_, i) => [`item-${i + 1}`, 1] as const),
    ]);
    expect(counts).toEqual(expected);
    expect(stdout).toMatch(/reconciled: \d+ accepted = \d+ stored = 22 counted \+ \d+ duplicates/);
  },
  STEP_MS,
);

browserIt(
  'stores nothing from a page whose origin is not allowed',
  async () => {
    const collector = await serveFor([
      '--port',
      '0',
      '--out',
      path.join(work, 'refused'),
      '--allow-origin',
      'https://shop.example.com',
    ]);
    const page = await context.newPage();
    await page.goto(`${site.origin}/shop?page=shop&buttons=3&prefix=item`);
    await page.waitForFunction("'clicklogger' in window");
    for (let i = 1; i <= 3; i++) await page.click(`#b${i}`);
    await inPage(page, 'clicklogger.flush(true)');
    await until(() => /refused \(403\)/.test(collector.stdout()), Boolean, 30_000);
    // The page could not read an answer: its clicks wait in its queue, and the collector kept none.
    expect(await queued(page)).toBe(4);
    const { code, stdout } = await stopAndReport(collector);
    expect(stdout).toContain('no clicks arrived, so there is no day to report');
    expect(stdout).toContain('ingested: 0 accepted, 0 rejected, 0 failed (of 0)');
    expect(code).toBe(0);
    const files = fs.readdirSync(path.join(work, 'refused'), { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.parquet'))).toEqual([]);
  },
  STEP_MS,
);

browserIt(
  'delivers the clicks queued while serve was down once it is back with --keep, each counted once',
  async () => {
    const out = path.join(work, 'restart');
    const first = await serveFor(['--port', '0', '--out', out, '--allow-origin', site.origin]);
    const page = await context.newPage();
    await page.goto(`${site.origin}/shop?page=first&buttons=5&prefix=before`);
    await page.waitForFunction("'clicklogger' in window");
    for (let i = 1; i <= 5; i++) await page.click(`#b${i}`);
    await inPage(page, 'clicklogger.flush()');
    await until(
      () => queued(page),
      (n) => n === 0,
      30_000,
    );
    expect((await stopAndReport(first)).code).toBe(0);

    // serve is down: these fail to send and wait in the queue.
    await inPage(
      page,
      'for (let i = 1; i <= 5; i++) clicklogger.track({ component: `during-${i}` }); clicklogger.flush()',
    );
    await until(
      () => queued(page),
      (n) => n === 5,
      30_000,
    );

    const second = await serveFor([
      '--port',
      String(first.port),
      '--out',
      out,
      '--allow-origin',
      site.origin,
      '--keep',
    ]);
    // The next page sends what the last one left, with its own load.
    await page.goto(`${site.origin}/shop?page=second&buttons=0&prefix=none`);
    await until(
      () => queued(page),
      (n) => n === 0,
      60_000,
    );
    const { code, stdout } = await stopAndReport(second);
    expect(code).toBe(0);
    const expected = new Map<string, number>([
      ['first', 1],
      ['second', 1],
    ]);
    for (let i = 1; i <= 5; i++) expected.set(`before-${i}`, 1).set(`during-${i}`, 1);
    expect(reportedCounts(stdout)).toEqual(expected);
  },
  STEP_MS,
);

browserIt(
  'backs off when throttled (429) and loses nothing',
  async () => {
    const collector = await serveFor(
      ['--port', '0', '--out', path.join(work, 'throttled'), '--allow-origin', site.origin],
      {
        CLICKLOGGER_COLLECTOR_RATE_LIMIT: '1',
        CLICKLOGGER_COLLECTOR_BURST_LIMIT: '1',
      },
    );
    expect(collector.stdout()).toContain('throttle 1/s, burst 1');
    const page = await context.newPage();
    await page.goto(`${site.origin}/shop?page=shop&buttons=0&prefix=none`);
    await page.waitForFunction("'clicklogger' in window");
    await inPage(page, 'for (let i = 1; i <= 100; i++) clicklogger.track({ component: `burst-${i}` })');
    await until(
      () => queued(page),
      (n) => n === 0,
      80_000,
    );
    const { code, stdout } = await stopAndReport(collector);
    expect(code).toBe(0);
    expect(stdout).toMatch(/throttled a request \(429\)/);
    const expected = new Map<string, number>([['shop', 1]]);
    for (let i = 1; i <= 100; i++) expected.set(`burst-${i}`, 1);
    // 101 components of one caller: response.md lists 100 of them, report.json every one.
    expect(stdout).toMatch(/Not listed: \S+, 1 row \(1 click\)\./);
    expect(storedReportCounts(path.join(work, 'throttled'))).toEqual(expected);
  },
  STEP_MS + 30_000,
);

browserIt(
  'sends the page’s user (pseudonymized by ingestion), none under Global Privacy Control, or nothing when the site says so',
  async () => {
    const out = path.join(work, 'gpc');
    const collector = await serveFor(['--port', '0', '--out', out, '--allow-origin', site.origin]);
    const visit = async (page: string, query: string, gpc: boolean) => {
      const gpcContext = await browser!.newContext();
      if (gpc)
        await gpcContext.addInitScript("Object.defineProperty(navigator, 'globalPrivacyControl', { value: true })");
      const tab = await gpcContext.newPage();
      await tab.goto(`${site.origin}/shop?page=${page}&buttons=1&prefix=${page}&${query}`);
      await tab.waitForFunction("'clicklogger' in window");
      await tab.click('#b1');
      await inPage(tab, 'clicklogger.flush()');
      // Every click the page queued is answered for (none when it tracks nothing).
      const left = await until(
        () => queued(tab),
        (n) => n === 0,
        30_000,
      );
      await gpcContext.close();
      return left;
    };
    expect(await visit('signed-in', 'user=alice%40example.com', false)).toBe(0);
    expect(await visit('gpc', 'user=alice%40example.com', true)).toBe(0);
    await until(
      () => accepted(collector),
      (n) => n >= 4,
      30_000,
    );
    // Nothing at all: no load, no click, nothing queued.
    expect(await visit('gpc-nothing', 'user=alice%40example.com&gpc=nothing', true)).toBe(0);
    const { code, stdout } = await stopAndReport(collector);
    expect(code).toBe(0);
    expect([...reportedCounts(stdout).keys()].sort()).toEqual(['gpc', 'gpc-1', 'signed-in', 'signed-in-1']);
    const users = await storedUsers(out);
    expect(users.get('signed-in')).toMatch(/^u_[a-z2-7]{26}$/);
    expect(users.get('signed-in-1')).toBe(users.get('signed-in'));
    expect(users.get('gpc')).toBe('GUEST');
    expect(users.get('gpc-1')).toBe('GUEST');
  },
  STEP_MS,
);

/** The user stored with each component's click, from the Parquet files `serve` wrote. */
async function storedUsers(out: string): Promise<Map<string, string>> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const glob = path.join(out, '*-firehose-delivery-*', '**', '*.parquet').replaceAll("'", "''");
    const reader = await connection.runAndReadAll(`SELECT component, "user" FROM read_parquet('${glob}')`);
    return new Map(reader.getRows() as [string, string][]);
  } finally {
    instance.closeSync();
  }
}
