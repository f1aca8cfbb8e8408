/**
 * The local run under concurrency and failing writes, in-process: one run per output folder,
 * and no report called complete when it is not. run-process.integration.test.ts runs the CLI
 * as a process (signals, pipes, the temp folder, a read-only checkout).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { diskFiles } from '../../local/firehose/sink-files';
import { LOCK_FILE, lockOutput } from '../../local/run/output-lock';
import { runLocalPipeline } from '../../local/run/local-pipeline';
import { draftPath, removeDrafts } from '../../report/atomic-file';
import { generateClicks } from '../../local/input/samples';
import { captureIo } from '../support/io';

// The local run synthesizes settings only: it must never bundle (the checkout may be read-only).
jest.mock('esbuild', () => ({
  buildSync: () => {
    throw new Error('the local run must not bundle the Lambda functions');
  },
}));

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-safety-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe('one run per output folder', () => {
  it('lets one of two runs into the same --out go ahead, and refuses the other, naming the holder', async () => {
    const out = path.join(work, 'out');
    const runs = [
      { io: captureIo(), events: 20_000 },
      { io: captureIo(), events: 5_000 },
    ];
    const codes = await Promise.all(
      runs.map((r) => main(['local', '--generate', String(r.events), '--date', '2023-02-08', '--out', out], r.io)),
    );
    // Which one takes the lock first is a race; that exactly one does is not.
    expect([...codes].sort()).toEqual([0, 1]);
    const winner = runs[codes.indexOf(0)];
    const loser = runs[codes.indexOf(1)];
    expect(winner.io.stdout).toContain(`${winner.events} clicks in 40 groups.`);
    expect(loser.io.stdout.some((l) => l.startsWith('# Click report'))).toBe(false);
    expect(loser.io.stderr).toEqual([
      expect.stringMatching(
        new RegExp(`^clicklogger: ${out} is in use by another clicklogger run \\(PID ${process.pid} `),
      ),
    ]);
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  }, 60_000);

  it('takes over the lock of a run that is no longer running, and says so', async () => {
    const out = path.join(work, 'out');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(out);
    fs.writeFileSync(
      path.join(out, LOCK_FILE),
      JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), startedAt: '2023-02-08T00:00:00.000Z' }),
    );
    const notices: string[] = [];
    const lock = await lockOutput(out, (line) => notices.push(line));
    expect(notices).toEqual([expect.stringMatching(/^took over the lock of .* from PID \d+ .*no longer running$/)]);
    await lock.release();
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });
});

describe('failed delivery', () => {
  it('lists the failed events with their reason and still writes the report of the rest', async () => {
    // Writes to the 2023-02-09 partition always fail, as a folder without write permission would.
    const denied = (file: string) =>
      file.includes('data=2023-02-09')
        ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' }))
        : undefined;
    const result = await runLocalPipeline({
      dates: ['2023-02-08'],
      events: [...generateClicks('2023-02-08', 300, 300), ...generateClicks('2023-02-09', 200, 200, 7)].map((chunk) =>
        chunk.map((click) => ({ ...click, requestid: `${click.createdtime}-${click.requestid}` })),
      ),
      outDir: work,
      sinkFiles: {
        ...diskFiles,
        convertToParquet: (jsonFiles, file, options) =>
          denied(file) ?? diskFiles.convertToParquet(jsonFiles, file, options),
      },
    });
    expect(result.ingestion).toMatchObject({ events: 500, accepted: 300, failed: 200 });
    expect([...result.ingestion.failures]).toEqual([
      [expect.stringMatching(/EACCES: permission denied/), { count: 200, where: [] }],
    ]);
    expect(result.reports?.[0].markdown).toMatch(/^300 clicks in /m);
  }, 60_000);
});

describe('cleaning up after an interrupted run', () => {
  it('removes the drafts a run of ours made, and no file of the user’s', async () => {
    // Prepare: a user's own half-downloaded files beside drafts that this project's writers made.
    const mine = ['my/dl/thesis.docx.partial', 'notes.staged', '.hidden.partial'];
    for (const file of mine) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), 'the user’s');
    }
    const ours = [
      draftPath(path.join(work, 'output/2023/02/08/report.json')),
      draftPath(path.join(work, 'raw/data=2023-02-08/segment.jsonl'), 'staged'),
    ];
    for (const file of ours) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'half');
    }
    // Act
    expect(await removeDrafts(work)).toBe(2);
    // Assert
    expect(mine.filter((file) => !fs.existsSync(path.join(work, file)))).toEqual([]);
    expect(ours.filter((file) => fs.existsSync(file))).toEqual([]);
  });
});
