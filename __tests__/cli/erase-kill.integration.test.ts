/**
 * kill -9 during `clicklogger erase`, at several points, then the same erase again: no click of
 * anyone else is lost or doubled, hers are gone, and every day she was on is reported without her.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { storedClickLines } from '../support/stored-clicks';
import { withoutProgress } from '../support/io';

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'clicklogger.js');
const OUTPUT = 'us-east-1-clicklogger-dev-loggregator-output-000000000000';
const ALICE = 'alice@example.com';
const DAYS = 40;

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-erase-kill-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function run(args: string[]) {
  // A killed process cannot clean up its temporary files: they stay in the test's own folder.
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', TMPDIR: tmp },
  });
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stdout += c));
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: withoutProgress(stdout) })),
  );
  return { child, done, stdout: () => stdout };
}

/** Each day's report total, from its report.json. */
function reportedTotals(out: string): number[] {
  const days = Array.from({ length: DAYS }, (_, i) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10));
  return days.map(
    (day) =>
      (
        JSON.parse(fs.readFileSync(path.join(out, OUTPUT, ...day.split('-'), 'report.json'), 'utf8')) as {
          total: number;
        }
      ).total,
  );
}

it('leaves everyone else’s clicks whole and hers gone, wherever the kill falls', async () => {
  // Prepare: 40 days, one file each, alice and bob on every one.
  const events = [];
  for (let i = 0; i < DAYS; i++) {
    const createdtime = new Date(Date.UTC(2023, 0, 1 + i, 10)).toISOString();
    for (const user of [ALICE, 'bob', 'carol'])
      events.push({
        requestid: `${user}-${i}`,
        contextid: `v-${user}`,
        callerid: 'Shop',
        component: 'c',
        action: 'click',
        type: 'button',
        createdtime,
        user,
      });
  }
  const file = path.join(work, 'events.jsonl');
  fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  const template = path.join(work, 'template');
  expect((await run(['local', '--events', file, '--out', template]).done).code).toBe(0);
  const all = await storedClickLines(template);
  const others = all.filter((row) => !row.includes(`"requestid":"${ALICE}-`));
  expect(others).toHaveLength(2 * DAYS);

  for (const delayMs of [0, 300, 700, 1200, 2000, 3000]) {
    const out = path.join(work, `kill-${delayMs}`);
    fs.cpSync(template, out, { recursive: true });
    // Act: killed once it has said what it will remove, after delayMs.
    const erase = run(['erase', '--user', ALICE, '--out', out, '--yes']);
    const deadline = Date.now() + 60_000;
    while (!erase.stdout().includes('erase: will remove') && erase.child.exitCode === null) {
      if (Date.now() > deadline) throw new Error(`erase did not start: ${erase.stdout()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    erase.child.kill('SIGKILL');
    await erase.done;
    const again = await run(['erase', '--user', ALICE, '--out', out, '--yes']).done;

    // Assert
    expect({ delayMs, code: again.code }).toEqual({ delayMs, code: 0 });
    expect(again.stdout).toMatch(/finds none left|nothing to remove/);
    expect({ delayMs, same: await storedClickLines(out) }).toEqual({ delayMs, same: others });
    expect({ delayMs, totals: reportedTotals(out) }).toEqual({ delayMs, totals: Array(DAYS).fill(2) });
  }
}, 600_000);
