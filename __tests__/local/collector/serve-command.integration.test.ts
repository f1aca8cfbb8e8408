/** `clicklogger serve` as a process: what it serves, and the refusals that stop it before it starts. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { reportedCounts, runServe, startServe } from '../../support/serve-process';

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-serve-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT' };

it('serves a tracker of at most 2,048 bytes gzipped, the demo page, and CORS only to allowed origins', async () => {
  const serve = await startServe(
    ['--port', '0', '--out', path.join(work, 'out'), '--allow-origin', 'https://shop.example.com'],
    QUIET,
  );
  try {
    const tracker = await fetch(`${serve.origin}/clicklogger.min.js`);
    expect(tracker.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = Buffer.from(await tracker.arrayBuffer());
    expect(gzipSync(script, { level: 9 }).length).toBeLessThanOrEqual(2_048);
    expect(script.toString()).toContain('clicklogger:queue');

    const demo = await (await fetch(`${serve.origin}/`)).text();
    for (const component of ['login', 'products', 'checkout', 'submitorder'])
      expect(demo).toContain(`data-clicklogger-component="${component}"`);
    expect(demo).toContain(`data-endpoint="${serve.origin}/clicks"`);

    const preflight = (origin: string) =>
      fetch(`${serve.origin}/clicks`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight('https://shop.example.com')).headers.get('access-control-allow-origin')).toBe(
      'https://shop.example.com',
    );
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();

    const tooMany = await fetch(`${serve.origin}/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://shop.example.com' },
      body: JSON.stringify(Array.from({ length: 201 }, () => ({}))),
    });
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { error: string }).error).toBe('too many events: 201, at most 200 per request');
  } finally {
    expect(await serve.stop()).toBe(0);
  }
  expect(serve.stdout()).toContain('no clicks arrived, so there is no day to report');
}, 90_000);

it('refuses a port that is taken in one line, exit 2', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as net.AddressInfo;
  try {
    const run = await runServe(['--port', String(port), '--out', path.join(work, 'out')], QUIET);
    expect(run.stderr.trim().split('\n')).toEqual([
      `clicklogger: port ${port} on 127.0.0.1 is taken; choose another with --port`,
    ]);
    expect(run.code).toBe(2);
  } finally {
    taken.close();
  }
  expect(fs.existsSync(path.join(work, 'out'))).toBe(false);
}, 60_000);

it.each([['shop.example.com'], ['https://shop.example.com/'], ['*']])(
  'refuses the origin %j in one line, exit 2',
  async (origin) => {
    const run = await runServe(['--allow-origin', origin, '--out', path.join(work, 'out')], QUIET);
    expect(run.stderr.trim().split('\n')).toEqual([
      `clicklogger: --allow-origin must be an origin such as https://shop.example.com (no path), got "${origin}"`,
    ]);
    expect(run.code).toBe(2);
  },
  60_000,
);

it('on SIGTERM stops taking requests, reports the clicks it took, and exits 0', async () => {
  // Prepare
  const serve = await startServe(['--port', '0', '--out', path.join(work, 'out')], QUIET);
  const clicks = ['login', 'checkout', 'checkout'].map((component, i) => ({
    requestid: `sigterm-${i}`,
    contextid: 'visit-1',
    callerid: 'ShopTest',
    component,
    action: 'click',
    type: 'button',
  }));
  const answer = await fetch(`${serve.origin}/clicks`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: serve.origin },
    body: JSON.stringify(clicks),
  });
  expect(answer.status).toBe(200);

  // Act
  const exited = new Promise<number | null>((resolve) => serve.child.on('close', resolve));
  serve.child.kill('SIGTERM');

  // Assert
  expect(await exited).toBe(0);
  expect(serve.stderr()).toContain('clicklogger: SIGTERM: no more requests taken');
  expect(serve.stdout()).toMatch(/^reconciled: 3 accepted = 3 stored = 3 counted \+ 0 duplicates/m);
  expect(reportedCounts(serve.stdout())).toEqual(
    new Map([
      ['checkout', 2],
      ['login', 1],
    ]),
  );
}, 90_000);
