/**
 * The load benchmark of `clicklogger serve` (npm run bench, section `collector`): concurrent
 * clients POST batches of 20 clicks for a fixed time, on the loopback only. Beside it, in the same
 * run, a bare Node HTTP server that parses the same JSON and answers 200: the floor. Every click
 * serve acknowledged must be counted by the report it writes when it stops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';

const ROOT = path.resolve(__dirname, '..');
const CLICKS_PER_REQUEST = 20;
/** Enough concurrent clients that a request waiting on the disk does not leave the collector idle. */
const CONNECTIONS = 64;
const SECONDS = 8;
const RUNS = 3;

/** The bare floor: the same JSON parsed, 200 answered, nothing else. */
const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const clicks = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: clicks.length }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('collecting at http://127.0.0.1:' + server.address().port + '/clicks\\n'));
`;

export interface LoadRun {
  readonly requestsPerSecond: number;
  readonly clicksPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly acknowledged: number;
  readonly non2xx: number;
  /** Clicks serve accepted, and that its report counted (serve only). */
  readonly accepted?: number;
  readonly counted?: number;
}

/** Resolves once the server listens. Its output is kept, but read only at the end: the loader shares the machine. */
function started(child: ChildProcess): Promise<{ origin: string; output: () => string }> {
  const chunks: Buffer[] = [];
  let origin: string | undefined;
  const output = () => Buffer.concat(chunks).toString();
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      chunks.push(d);
      if (origin) return;
      origin = /collecting at (http:\/\/[^/\s]+)\/clicks/.exec(output())?.[1];
      if (origin) resolve({ origin, output });
    });
    child.stderr!.on('data', (d: Buffer) => chunks.push(d));
    child.on('exit', (code) => reject(new Error(`exited ${code} before it listened:\n${output()}`)));
  });
}

let sequence = 0;
const VISIT = '5d0c2b7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d';
const COMPONENTS = ['login', 'products', 'checkout', 'submitorder'];
/**
 * A batch as the tracker sends it (UUID-shaped request ids, the visit's id, a createdtime), of
 * clicks no other request has sent: the report counts distinct request ids. Built from a counter,
 * not crypto, so that the loader spends little of the machine both servers share.
 */
function batch(): string {
  const createdtime = new Date().toISOString();
  const clicks = [];
  for (let i = 0; i < CLICKS_PER_REQUEST; i++) {
    clicks.push({
      requestid: `3f2a9c1e-7b4d-4e8a-9c1f-${String(sequence++).padStart(12, '0')}`,
      contextid: VISIT,
      callerid: 'OrderingApplication',
      component: COMPONENTS[i % COMPONENTS.length],
      action: 'click',
      type: 'button',
      createdtime,
    });
  }
  return JSON.stringify(clicks);
}

async function load(origin: string): Promise<Omit<LoadRun, 'counted'>> {
  const result = await autocannon({
    url: `${origin}/clicks`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'text/plain', origin },
    requests: [{ setupRequest: (request) => ({ ...request, body: batch() }) }],
  });
  const acknowledged = result['2xx'];
  return {
    requestsPerSecond: acknowledged / SECONDS,
    clicksPerSecond: (acknowledged * CLICKS_PER_REQUEST) / SECONDS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    acknowledged: acknowledged * CLICKS_PER_REQUEST,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

async function bareRun(): Promise<LoadRun> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    return await load((await started(child)).origin);
  } finally {
    child.kill();
  }
}

async function serveRun(): Promise<LoadRun> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-serve-'));
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'clicklogger.js'), 'serve', '--port', '0', '--out', out],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The stage's throttle at its highest: this measures the collector, not the limit.
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        CLICKLOGGER_COLLECTOR_RATE_LIMIT: '10000',
        CLICKLOGGER_COLLECTOR_BURST_LIMIT: '5000',
      },
    },
  );
  try {
    const { origin, output } = await started(child);
    const run = await load(origin);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    if ((await exited) !== 0) throw new Error(`serve did not report:\n${output().slice(-2000)}`);
    const text = output();
    const counted = [...text.matchAll(/(\d+) counted \+/g)].reduce((n, m) => n + Number(m[1]), 0);
    const accepted = Number(/^ingested: (\d+) accepted/m.exec(text)?.[1]);
    return { ...run, counted, accepted };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs both servers in turn, RUNS times each, and returns the medians; throws if a click is not counted. */
export async function collectorLoad(log: (line: string) => void) {
  const bare: LoadRun[] = [];
  const serve: LoadRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(await bareRun());
    const run = await serveRun();
    log(
      `collector run ${i + 1}: serve ${run.requestsPerSecond.toFixed(0)} req/s, bare ${bare[i].requestsPerSecond.toFixed(0)} req/s`,
    );
    // The loader stops with requests in flight: serve took those too, but no client heard the answer.
    const inFlight = CONNECTIONS * CLICKS_PER_REQUEST;
    const acknowledgedAll = run.acknowledged <= run.accepted! && run.accepted! <= run.acknowledged + inFlight;
    if (run.non2xx > 0 || run.counted !== run.accepted || !acknowledgedAll) {
      throw new Error(
        `serve accepted ${run.accepted} clicks and answered ${run.acknowledged} of them; its report counted ${run.counted}; ${run.non2xx} requests failed`,
      );
    }
    serve.push(run);
  }
  const of = (runs: LoadRun[]) => ({
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    clicksPerSecond: median(runs.map((r) => r.clicksPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
  });
  return {
    serve: of(serve),
    bare: of(bare),
    counted: serve.reduce((n, r) => n + (r.counted ?? 0), 0),
    settings: { connections: CONNECTIONS, seconds: SECONDS, runs: RUNS, clicksPerRequest: CLICKS_PER_REQUEST },
  };
}
