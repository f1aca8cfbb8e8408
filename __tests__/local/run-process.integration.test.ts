/**
 * `clicklogger local` as a process: interrupted, piped into a closed pipe, run from a read-only
 * checkout, and leaving the temp folder as it found it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE } from '../../local/run/output-lock';
import { requireTool } from '../support/ci';
import { withoutProgress } from '../support/io';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'clicklogger.js');
let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-process-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** The environment of a user's run: the compile caches on (the test environment turns tsx's off). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...extra };
  delete env.TSX_DISABLE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return env;
}

describe('nothing left behind', () => {
  const cli = (args: string[], tmp: string) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: work, env: userEnv({ TMPDIR: tmp }), encoding: 'utf8' });

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

  it('an interrupted run says what the folder holds, and removes its half-written files', async () => {
    const out = path.join(work, 'out');
    // Far more clicks than the run can ingest before the signal: it is interrupted while writing.
    const child = spawn(
      process.execPath,
      [CLI, 'local', '--generate', '3000000', '--date', '2023-02-08', '--out', out],
      {
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.once('exit', (c) => resolve(c)));
    // Interrupt once the run has committed its first Parquet file.
    const parquet = () =>
      fs.existsSync(out) &&
      fs.readdirSync(out, { recursive: true }).some((f) => /^[^.].*\.parquet$/.test(path.basename(String(f))));
    for (const until = Date.now() + 60_000; !parquet(); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > until) throw new Error('the run wrote no Parquet file within a minute');
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(withoutProgress(stderr).trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^clicklogger: interrupted by SIGINT; ${out} holds a partial run: \\d+ Parquet files?, no report, no half-written files$`,
        ),
      ),
    ]);
    const left = fs.readdirSync(out, { recursive: true }).map(String);
    expect(left.filter((f) => /\.(partial|staged)$/.test(f) || f.includes(LOCK_FILE))).toEqual([]);
  }, 90_000);
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
    expect(withoutProgress(stderr)).toBe('');
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
          // With the compile caches on: they cannot be written here, and the run goes without.
          { cwd: work, encoding: 'utf8', env: userEnv() },
        );
        expect(withoutProgress(run.stderr)).toBe('');
        expect(run.status).toBe(0);
        expect(run.stdout).toContain('8 clicks in 4 groups.');
      } finally {
        spawnSync('umount', [mountPoint]);
      }
    },
    60_000,
  );
});
