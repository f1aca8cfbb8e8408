/**
 * The local run under concurrency, interruption and failing writes: one run per output folder,
 * nothing left in the temp folder or the checkout, and no report called complete when it is not.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { diskFiles } from '../../local/firehose-sink';
import { LOCK_FILE, lockOutput } from '../../local/output-lock';
import { runLocalPipeline } from '../../local/pipeline';
import { generateClicks } from '../../local/samples';
import { requireTool } from '../support/ci';
import { captureIo } from '../support/io';

// The local run synthesizes settings only: it must never bundle (the checkout may be read-only).
jest.mock('esbuild', () => ({
  buildSync: () => {
    throw new Error('the local run must not bundle the Lambda functions');
  },
}));

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'clicklogger.js');
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

describe('nothing left behind', () => {
  const cli = (args: string[], tmp: string) =>
    spawnSync(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { ...process.env, TMPDIR: tmp, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      encoding: 'utf8',
    });

  it.each([
    ['local', ['local', '--date', '2023-02-08', '--out', 'out']],
    ['a failing local', ['local', '--date', '2023-02-30', '--out', 'out']],
    ['cost', ['cost']],
  ])(
    '%s leaves the temp folder as it found it',
    (_, args) => {
      const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
      cli(args, tmp);
      expect(fs.readdirSync(tmp)).toEqual([]);
    },
    60_000,
  );

  it('the test synth helpers leave the temp folder as they found it', () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const script = "const s = require('./__tests__/support/synth'); s.synth(); s.buildStack(); s.removeAppFolders();";
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(fs.readdirSync(tmp)).toEqual([]);
  }, 60_000);

  it('an interrupted run says the folder holds a partial run, and removes its partial files', async () => {
    const out = path.join(work, 'out');
    const child = spawn(
      process.execPath,
      [CLI, 'local', '--generate', '400000', '--date', '2023-02-08', '--out', out],
      {
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Interrupt once the run holds its lock and has started writing.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr.trim().split('\n')).toEqual([`clicklogger: interrupted by SIGINT; ${out} holds a partial run`]);
    const left = fs.readdirSync(out, { recursive: true }).map(String);
    expect(left.filter((f) => /\.(partial|staged)$/.test(f) || f.endsWith(LOCK_FILE))).toEqual([]);
  }, 60_000);
});

describe('failed delivery', () => {
  it('lists the failed events with their reason and still writes the report of the rest', async () => {
    // Writes to the 2023-02-09 partition always fail, as a folder without write permission would.
    const denied = (file: string) =>
      file.includes('data=2023-02-09')
        ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' }))
        : undefined;
    const result = await runLocalPipeline({
      date: '2023-02-08',
      events: [...generateClicks('2023-02-08', 300, 300), ...generateClicks('2023-02-09', 200, 200, 7)].map((chunk) =>
        chunk.map((click) => ({ ...click, requestid: `${click.createdtime}-${click.requestid}` })),
      ),
      outDir: work,
      sinkFiles: {
        ...diskFiles,
        writeParquet: (rows, file, options) => denied(file) ?? diskFiles.writeParquet(rows, file, options),
      },
    });
    expect(result.ingestion).toMatchObject({ events: 500, accepted: 300, failed: 200 });
    expect([...result.ingestion.failures]).toEqual([
      [expect.stringMatching(/EACCES: permission denied/), { count: 200, where: [] }],
    ]);
    expect(result.report?.markdown).toMatch(/^300 clicks in /m);
  }, 60_000);
});

describe('a closed pipe', () => {
  it('ends the run quietly when its output is closed (`clicklogger local | head -1`)', async () => {
    const out = path.join(work, 'out');
    const child = spawn(process.execPath, [CLI, 'local', '--date', '2023-02-08', '--out', out], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy()); // as `head -1` does after one line
    const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  }, 60_000);
});

describe('a read-only checkout', () => {
  // A read-only bind mount of this checkout needs root; elsewhere this is skipped loudly (CI runs it).
  const canMount = requireTool('root, to bind-mount the checkout read-only', process.getuid?.() === 0);
  (canMount ? it : it.skip)(
    'runs `clicklogger local` from it',
    () => {
      const mountPoint = fs.mkdtempSync(path.join(work, 'ro-'));
      const mount = (args: string[]) => spawnSync('mount', args, { encoding: 'utf8' });
      const bound = mount(['--bind', ROOT, mountPoint]);
      expect(bound.stderr).toBe('');
      try {
        expect(mount(['-o', 'remount,ro,bind', mountPoint]).status).toBe(0);
        expect(() => fs.writeFileSync(path.join(mountPoint, 'probe'), '')).toThrow(/EROFS/);
        const run = spawnSync(
          process.execPath,
          [
            path.join(mountPoint, 'bin', 'clicklogger.js'),
            'local',
            '--date',
            '2023-02-08',
            '--out',
            path.join(work, 'out'),
          ],
          {
            cwd: work,
            encoding: 'utf8',
            env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
          },
        );
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        expect(run.stdout).toContain('8 clicks in 4 groups.');
      } finally {
        spawnSync('umount', [mountPoint]);
      }
    },
    60_000,
  );
});
