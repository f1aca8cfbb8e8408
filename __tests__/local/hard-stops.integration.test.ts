/**
 * `clicklogger local` as a process against hard inputs and hard stops: pipes into --events, a
 * full disk, signals (with a Spark job running), racing runs, a full stdout. Each run must lose
 * nothing, leave nothing half-written, release its lock, and say in one line what happened.
 * Folders that need root (a tmpfs, a read-only mount) are skipped loudly elsewhere, and fail
 * under CI where they cannot run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE } from '../../local/run/output-lock';
import { sparkRuntimeProblem } from '../../local/emr/spark-job';
import { requireTool } from '../support/ci';
import { eventLine as line } from '../support/clicks';
import { withoutProgress } from '../support/io';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'clicklogger.js');
const isRoot = requireTool('root, to mount a tmpfs and a read-only folder', process.getuid?.() === 0);
const sparkReady = requireTool(
  "Spark (Java 17 and pyspark in the project's .venv)",
  sparkRuntimeProblem() === undefined,
);

const RAW_BUCKET = 'us-east-1-clicklogger-dev-firehose-delivery-000000000000';

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-stops-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function eventsFile(n: number): string {
  const file = path.join(work, `${n}.jsonl`);
  fs.writeFileSync(file, Array.from({ length: n }, (_, i) => line(i)).join('\n') + '\n');
  return file;
}

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts the CLI with `args` through `sh -c` when `shell` is given (for pipes and redirections). */
function start(args: string[], shell?: string): Run {
  const env = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
  const child = shell
    ? spawn(
        'sh',
        ['-c', shell.replace('CLI', `"${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(' ')}`)],
        {
          cwd: work,
          env,
        },
      )
    : spawn(process.execPath, [CLI, ...args], { cwd: work, env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => (stderr += c));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr: withoutProgress(stderr) })),
  );
  return { child, done };
}

async function waitFor(condition: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Files an interrupted or failed run must never leave: half-written files and its lock. */
const leftovers = (out: string) =>
  fs.existsSync(out)
    ? fs
        .readdirSync(out, { recursive: true })
        .map(String)
        .filter((f) => /\.(partial|staged|draft)$/.test(f) || f.includes(LOCK_FILE))
    : [];

/** PIDs of the processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('pipes into --events (row 1)', () => {
  it.each([
    ['`cat file | … --events -`', 'cat 20000.jsonl | CLI', '-'],
    ['`… --events /dev/stdin < file`', 'CLI < 20000.jsonl', '/dev/stdin'],
    ['process substitution', 'CLI', '<(cat 20000.jsonl)'],
  ])(
    'counts all 20,000 events of %s',
    async (_, shell, events) => {
      eventsFile(20_000);
      const shellLine =
        events === '<(cat 20000.jsonl)'
          ? `bash -c '"${process.execPath}" "${CLI}" local --events <(cat 20000.jsonl) --date 2023-02-08 --out out'`
          : undefined;
      const run = shellLine
        ? start([], shellLine)
        : start(['local', '--events', events, '--date', '2023-02-08', '--out', 'out'], shell);
      const { code, stdout, stderr } = await run.done;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('ingested: 20000 accepted, 0 rejected, 0 failed (of 20000)');
      expect(stdout).toContain('20000 clicks in 1 group.');
    },
    60_000,
  );

  it('reads a FIFO whose writer has finished, and ends', async () => {
    eventsFile(20_000);
    const fifo = path.join(work, 'events.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `cat 20000.jsonl > events.fifo`], { cwd: work });
    const written = new Promise((resolve) => writer.once('close', resolve));
    const { code, stdout } = await start(['local', '--events', fifo, '--date', '2023-02-08', '--out', 'out']).done;
    await written;
    expect(code).toBe(0);
    expect(stdout).toContain('ingested: 20000 accepted, 0 rejected, 0 failed (of 20000)');
  }, 60_000);
});

describe('a full disk (row 2)', () => {
  (isRoot ? it : it.skip)(
    'stops a run into a 20 MB tmpfs in one line that says the disk is full and where, and leaves no half-written file',
    async () => {
      const out = path.join(work, 'small');
      fs.mkdirSync(out);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', out]).status).toBe(0);
      try {
        const { code, stdout, stderr } = await start([
          'local',
          '--generate',
          '2000000',
          '--date',
          '2023-02-08',
          '--out',
          out,
        ]).done;
        expect(code).toBe(1);
        expect(stderr.trim().split('\n')).toEqual([
          expect.stringMatching(
            new RegExp(
              `^clicklogger: the disk is full: cannot write ${out}/.* \\(ENOSPC\\); the run stopped after \\d+ events, and made no report$`,
            ),
          ),
        ]);
        // What was not stored is listed, as failed events.
        expect(stdout).toMatch(/^ {2}failed ×\d+: DiskFullError: the disk is full/m);
        expect(leftovers(out)).toEqual([]);
      } finally {
        spawnSync('umount', [out]);
      }
    },
    90_000,
  );
});

describe('signals', () => {
  (sparkReady ? it : it.skip)(
    'on SIGTERM during a Spark job, stops its whole process tree before exiting, and nothing is written after (row 3)',
    async () => {
      const out = path.join(work, 'out');
      const run = start(['local', '--engine', 'spark', '--date', '2023-02-08', '--out', out]);
      // The job's JVM carries the output folder in its command line (spark.clicklogger.storageRoot).
      await waitFor(() => processesMentioning(`storageRoot=${out}`).length > 0, 120_000, 'the Spark job');
      run.child.kill('SIGTERM');
      const { code, stderr } = await run.done;
      expect(code).toBe(143);
      expect(stderr.trim().split('\n')).toEqual([
        `clicklogger: interrupted by SIGTERM; the Spark job was stopped; ${out} holds a partial run: 1 Parquet file, no report, no half-written files`,
      ]);
      expect(processesMentioning(`storageRoot=${out}`)).toEqual([]);
      // Nothing runs any more that could write: the folder stays as it was left.
      const before = fs.readdirSync(out, { recursive: true }).map(String).sort();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(fs.readdirSync(out, { recursive: true }).map(String).sort()).toEqual(before);
      expect(before.filter((f) => f.endsWith('response.md'))).toEqual([]);
      expect(leftovers(out)).toEqual([]);
    },
    180_000,
  );

  it('on SIGHUP, says so in one line, removes its half-written files and releases the lock (row 11)', async () => {
    const out = path.join(work, 'out');
    const run = start(['local', '--generate', '3000000', '--date', '2023-02-08', '--out', out]);
    await waitFor(() => fs.existsSync(path.join(out, LOCK_FILE)), 60_000, 'the run to take its lock');
    run.child.kill('SIGHUP');
    const { code, stderr } = await run.done;
    expect(code).toBe(129);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^clicklogger: interrupted by SIGHUP; ${out} holds a partial run: `)),
    ]);
    expect(leftovers(out)).toEqual([]);
  }, 60_000);

  it('leaves no half-written file and no lock, whenever SIGINT comes (row 5)', async () => {
    // Delays spread over the run: before the lock, while ingesting, while flushing, while reporting.
    const delays = [0, 150, 400, 800, 1_300, 2_000, 2_800, 3_700];
    for (const delay of delays) {
      const out = path.join(work, `out-${delay}`);
      const run = start(['local', '--generate', '600000', '--date', '2023-02-08', '--out', out]);
      await new Promise((resolve) => setTimeout(resolve, delay));
      run.child.kill('SIGINT');
      const { code } = await run.done;
      // 130 when the run was interrupted, 0 when it had finished, none when the signal came
      // before the run could handle it (the process had not taken the lock yet).
      expect({ delay, code: code === 0 || code === 130 || code === null, left: leftovers(out) }).toEqual({
        delay,
        code: true,
        left: [],
      });
    }
  }, 180_000);
});

describe('kill -9 during a --keep run', () => {
  it('leaves a folder that the next --keep run repairs, says so, and reconciles', async () => {
    // Prepare: a kept folder with one day in it, then a second run killed while it stores clicks.
    const out = path.join(work, 'out');
    const first = await start(['local', '--generate', '100', '--date', '2023-02-08', '--out', out]).done;
    expect(first.code).toBe(0);
    const partition = path.join(out, RAW_BUCKET, 'clicklog', 'data=2023-02-08');
    const parquet = () => fs.readdirSync(partition).filter((f) => /^[^.].*\.parquet$/.test(f)).length;
    const stored = parquet();
    const killed = start(['local', '--keep', '--generate', '3000000', '--date', '2023-02-08', '--out', out]);
    await waitFor(() => parquet() > stored, 120_000, 'the killed run to commit a Parquet file');
    killed.child.kill('SIGKILL');
    await killed.done;

    // Act
    const next = await start(['local', '--keep', '--generate', '100', '--date', '2023-02-08', '--out', out]).done;

    // Assert: one repair line, a report that reconciles, and nothing half-written left behind.
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(
      /clicklogger: an earlier run into .* stopped before it recorded what it stored; the ledger now counts the stored clicks \(2023-02-08: 100 → \d+\)/,
    );
    expect(next.stdout).toMatch(
      /^reconciled: \d+ accepted = \d+ stored = \d+ counted \+ \d+ duplicates \(2023-02-08\)$/m,
    );
    expect(leftovers(out)).toEqual([]);
  }, 240_000);
});

describe('racing runs (row 4)', () => {
  it('lets exactly one of six processes started at once take over a stale lock, in every trial', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    // Each process takes the lock, says whether it has it, and holds it until told to stop.
    const script = `
      const { lockOutput } = require(${JSON.stringify(path.join(ROOT, 'local', 'run', 'output-lock.ts'))});
      lockOutput(process.argv[1]).then(
        (lock) => { process.stdout.write('held\\n'); process.stdin.once('end', () => lock.release()); process.stdin.resume(); },
        (error) => { process.stdout.write(/in use/.test(error.message) ? 'refused\\n' : 'error ' + error.message + '\\n'); },
      );`;
    for (let trial = 0; trial < 6; trial++) {
      const out = path.join(work, `trial-${trial}`);
      const owner = { token: 'old', pid: Number(dead.stdout), host: os.hostname(), startedAt: '2023-02-08T00:00:00Z' };
      fs.mkdirSync(out);
      // The lock as this version leaves it (a folder), and as an earlier version did (a file).
      if (trial % 2 === 0) {
        fs.mkdirSync(path.join(out, LOCK_FILE));
        fs.writeFileSync(path.join(out, LOCK_FILE, 'owner-old.json'), JSON.stringify(owner));
      } else {
        fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify(owner));
      }
      const contenders = Array.from({ length: 6 }, () =>
        spawn(process.execPath, ['--import', 'tsx', '-e', script, out], {
          cwd: ROOT,
          env: { ...process.env, TSX_DISABLE_CACHE: '1' },
        }),
      );
      const closed = contenders.map((child) => new Promise((resolve) => child.once('close', resolve)));
      const answers = await Promise.all(
        contenders.map(
          (child) =>
            new Promise<string>((resolve) => {
              let text = '';
              let errors = '';
              child.stdout.on('data', (c) => {
                text += c;
                if (text.endsWith('\n')) resolve(text.trim());
              });
              child.stderr.on('data', (c) => (errors += c));
              child.once('close', (code) => resolve(text.trim() || `exited ${code}: ${errors}`));
            }),
        ),
      );
      for (const child of contenders) child.stdin.end();
      await Promise.all(closed);
      expect({ trial, answers: answers.sort() }).toEqual({
        trial,
        answers: ['held', 'refused', 'refused', 'refused', 'refused', 'refused'],
      });
      expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    }
  }, 120_000);
});

describe('a full stdout (row 6)', () => {
  it('says so in one line on stderr, exits 1 and releases the lock', async () => {
    const out = path.join(work, 'out');
    const { code, stderr } = await start(['local', '--date', '2023-02-08', '--out', out], 'CLI > /dev/full').done;
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^clicklogger: cannot write the output: ENOSPC: no space left on device/),
    ]);
    expect(leftovers(out)).toEqual([]);
  }, 60_000);
});

describe('a full stdout for `report`', () => {
  it('says so in one line on stderr and exits 1, as `local` does', async () => {
    // Prepare: a folder with a report in it.
    const out = path.join(work, 'out');
    expect((await start(['local', '--date', '2023-02-08', '--out', out]).done).code).toBe(0);
    // Act
    const { code, stderr } = await start(['report', '--out', out, '--date', '2023-02-08'], 'CLI > /dev/full').done;
    // Assert
    expect({ code, stderr: stderr.trim().split('\n') }).toEqual({
      code: 1,
      stderr: [expect.stringMatching(/^clicklogger: cannot write the output: ENOSPC: no space left on device/)],
    });
  }, 60_000);
});

describe('a read-only --out (row 9)', () => {
  (isRoot ? it : it.skip)(
    'gives one line that says the folder is read-only',
    async () => {
      const out = path.join(work, 'ro');
      fs.mkdirSync(out);
      expect(spawnSync('mount', ['--bind', out, out]).status).toBe(0);
      try {
        expect(spawnSync('mount', ['-o', 'remount,ro,bind', out]).status).toBe(0);
        const { code, stderr } = await start(['local', '--date', '2023-02-08', '--out', out]).done;
        expect(code).toBe(1);
        expect(stderr.trim()).toBe(`clicklogger: cannot write to --out ${out}: it is on a read-only file system`);
      } finally {
        spawnSync('umount', [out]);
      }
    },
    60_000,
  );
});

describe('Spark keeps its temporary files in TMPDIR (row 13)', () => {
  (sparkReady ? it : it.skip)(
    'leaves no JVM performance data in /tmp and nothing in its own temp folder',
    async () => {
      const perfData = path.join('/tmp', `hsperfdata_${os.userInfo().username}`);
      const before = new Set(fs.existsSync(perfData) ? fs.readdirSync(perfData) : []);
      const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
      const run = spawn(process.execPath, [CLI, 'local', '--engine', 'spark', '--date', '2023-02-08', '--out', 'out'], {
        cwd: work,
        env: { ...process.env, TMPDIR: tmp, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
      const code = await new Promise((resolve) => run.once('close', resolve));
      expect(code).toBe(0);
      const added = (fs.existsSync(perfData) ? fs.readdirSync(perfData) : []).filter((pid) => !before.has(pid));
      expect(added).toEqual([]);
      expect(fs.readdirSync(tmp)).toEqual([]);
    },
    180_000,
  );
});
