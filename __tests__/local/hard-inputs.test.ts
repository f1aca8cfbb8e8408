/**
 * Hard inputs, in-process: pipes and FIFOs read once, gzip and UTF-16, arrays nested beyond any
 * recursion limit, output folders that cannot be one, a full disk, and racing runs on one lock.
 * hard-stops.integration.test.ts drives the same through the CLI as a process (signals, pipes).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { main } from '../../cli/main';
import { type EventChunk, readEvents, readEventsFile } from '../../local/input/events-file';
import { diskFiles } from '../../local/firehose/sink-files';
import { LOCK_FILE, lockOutput, type OutputLock, processStartTime } from '../../local/run/output-lock';
import { runLocalPipeline } from '../../local/run/local-pipeline';
import { generateClicks } from '../../local/input/samples';
import { captureIo } from '../support/io';
import { eventLine as line } from '../support/clicks';

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-hard-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const jsonLines = (n: number) => Array.from({ length: n }, (_, i) => line(i)).join('\n') + '\n';

async function count(chunks: AsyncIterable<EventChunk>): Promise<{ events: number; unreadable: number }> {
  let events = 0;
  let unreadable = 0;
  for await (const chunk of chunks) {
    events += chunk.events.length;
    unreadable += chunk.unreadable.length;
  }
  return { events, unreadable };
}

/** A writer into a new FIFO in `work`, writing `data` once a reader opens it, then closing. */
function fifoWith(data: string): string {
  const fifo = path.join(work, 'events.fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  // A separate process, as `cat file > fifo` would be: opening a FIFO to write blocks until a reader comes.
  spawn('sh', ['-c', 'cat > "$0"', fifo], { stdio: ['pipe', 'ignore', 'ignore'] }).stdin.end(data);
  return fifo;
}

describe('pipes are read once, whole (row 1)', () => {
  it('reads standard input (`-`) to the last of 20,000 lines, across read boundaries', async () => {
    const stdin = Readable.from([jsonLines(20_000)].map((s) => Buffer.from(s)));
    expect(await count(readEvents('-', 10_000, stdin))).toEqual({ events: 20_000, unreadable: 0 });
  });

  it('reads a FIFO whose writer has finished, without hanging and without losing its first line', async () => {
    expect(await count(readEvents(fifoWith(jsonLines(20_000)), 10_000))).toEqual({ events: 20_000, unreadable: 0 });
  });

  it('reads a FIFO for `send` too', async () => {
    expect((await readEventsFile(fifoWith(jsonLines(3)))).events).toHaveLength(3);
  });

  it('reads a JSON array from standard input', async () => {
    const stdin = Readable.from([Buffer.from(`[${line(1)},${line(2)}]`)]);
    expect(await count(readEvents('-', 10, stdin))).toEqual({ events: 2, unreadable: 0 });
  });
});

describe('compressed and foreign encodings (row 8)', () => {
  it('reads a gzip-compressed file transparently, whatever its name', async () => {
    const file = path.join(work, 'events.log');
    fs.writeFileSync(file, gzipSync(jsonLines(2_500)));
    expect(await count(readEvents(file))).toEqual({ events: 2_500, unreadable: 0 });
  });

  it('reads gzip from standard input', async () => {
    const stdin = Readable.from([gzipSync(jsonLines(10))]);
    expect(await count(readEvents('-', 10_000, stdin))).toEqual({ events: 10, unreadable: 0 });
  });

  it('says a truncated gzip file is not valid gzip, in one line', async () => {
    const file = path.join(work, 'cut.jsonl.gz');
    const whole = gzipSync(jsonLines(1_000));
    fs.writeFileSync(file, whole.subarray(0, whole.length - 40));
    const io = captureIo();
    expect(await main(['local', '--events', file, '--date', '2023-02-08', '--out', path.join(work, 'o')], io)).toBe(1);
    expect(io.stderr).toEqual([`clicklogger: ${file} is not valid gzip data (cut short or corrupt)`]);
  });

  it.each([
    [
      'little-endian with a BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(jsonLines(2), 'utf16le')]),
      'little',
    ],
    ['little-endian without a BOM', Buffer.from(jsonLines(2), 'utf16le'), 'little'],
    [
      'big-endian with a BOM',
      Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(jsonLines(2), 'utf16le').swap16()])),
      'big',
    ],
  ])('refuses UTF-16 (%s) in one line that names the encoding', async (_, bytes, endian) => {
    const file = path.join(work, 'utf16.jsonl');
    fs.writeFileSync(file, bytes);
    const io = captureIo();
    expect(await main(['local', '--events', file, '--date', '2023-02-08', '--out', path.join(work, 'o')], io)).toBe(1);
    expect(io.stderr).toEqual([
      expect.stringMatching(
        new RegExp(`utf16\\.jsonl is UTF-16 \\(${endian}-endian\\) text; events are read as UTF-8`),
      ),
    ]);
  });

  it('exits 1 when nothing of a non-empty input was accepted, saying why, and makes no report', async () => {
    const file = path.join(work, 'junk.jsonl');
    fs.writeFileSync(file, 'hello\nworld\n{"requestid": 7}\n');
    const io = captureIo();
    const code = await main(['local', '--events', file, '--date', '2023-02-08', '--out', path.join(work, 'o')], io);
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      'clicklogger: nothing was accepted: all 3 events were rejected; most often: not valid JSON (×2); ' +
        'the run stopped after 3 events, and made no report',
    ]);
    expect(io.stdout.some((l) => l.startsWith('# Click report'))).toBe(false);
  });
});

describe('any nesting depth (row 7)', () => {
  it('says where an array nested 100,000 deep breaks, instead of overflowing the stack', async () => {
    const file = path.join(work, 'deep.json');
    fs.writeFileSync(file, `${'['.repeat(100_000)}}`);
    const io = captureIo();
    expect(await main(['local', '--events', file, '--date', '2023-02-08', '--out', path.join(work, 'o')], io)).toBe(1);
    expect(io.stderr).toEqual([
      expect.stringMatching(
        /^clicklogger: nothing was accepted: .*not valid JSON at line 1, column 100001 \(ValueExpected\)/,
      ),
    ]);
  });

  it('reads a valid array nested deep inside an event as one rejected event', async () => {
    const file = path.join(work, 'deep-valid.json');
    fs.writeFileSync(file, `[${'['.repeat(50_000)}${']'.repeat(50_000)}, ${line(1)}]`);
    expect(await count(readEvents(file))).toEqual({ events: 2, unreadable: 0 });
  });
});

describe('--out must be a folder of its own (rows 9 and 12)', () => {
  const local = async (out: string) => {
    const io = captureIo();
    const code = await main(['local', '--date', '2023-02-08', '--out', out], io);
    return { code, stderr: io.stderr };
  };

  it('refuses a file', async () => {
    const file = path.join(work, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(await local(file)).toEqual({ code: 1, stderr: [`clicklogger: --out ${file} is a file, not a folder`] });
  });

  it('refuses a symbolic link to a file', async () => {
    const file = path.join(work, 'a-file');
    fs.writeFileSync(file, 'x');
    fs.symlinkSync(file, path.join(work, 'link'));
    expect(await local(path.join(work, 'link'))).toEqual({
      code: 1,
      stderr: [`clicklogger: --out ${path.join(work, 'link')} is a file, not a folder`],
    });
  });

  it('refuses a path inside a file', async () => {
    fs.writeFileSync(path.join(work, 'a-file'), 'x');
    const out = path.join(work, 'a-file', 'out');
    expect(await local(out)).toEqual({ code: 1, stderr: [`clicklogger: --out ${out} is inside a file, not a folder`] });
  });

  it('refuses the root folder', async () => {
    expect(await local('/')).toEqual({
      code: 1,
      stderr: ['clicklogger: --out / is the root folder: give the run a folder of its own'],
    });
  });
});

describe('a full disk (row 2)', () => {
  it('stops the run at the first write that fails, lists what was not stored, and writes no report', async () => {
    let writes = 0;
    const result = await runLocalPipeline({
      dates: ['2023-02-08'],
      // More than the 64 MiB buffer holds, so that a flush comes before the input ends.
      events: generateClicks('2023-02-08', 400_000, 10_000),
      outDir: work,
      sinkFiles: {
        ...diskFiles,
        convertToParquet: () => {
          writes++;
          return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        },
      },
      beforeReport: () => Promise.reject(new Error('the report must not run')),
    }).catch((error: Error) => error);
    expect(result).not.toBeInstanceOf(Error);
    const { stopped, ingestion, workflow } = result as Exclude<typeof result, Error>;
    expect(stopped?.message).toMatch(/^the disk is full: cannot write .* \(ENOSPC\)$/);
    // No write is tried again and again: one failed flush stops the run.
    expect(writes).toBe(1);
    expect(ingestion.accepted).toBe(0);
    expect(ingestion.failed).toBeGreaterThan(0);
    expect([...ingestion.failures.keys()]).toEqual([expect.stringMatching(/^DiskFullError: the disk is full/)]);
    expect(ingestion.events).toBeLessThan(400_000);
    expect(workflow).toBeUndefined();
  });
});

describe('the output lock', () => {
  /** A lock left by `pid` (started at `pidStart`): a folder, as this version leaves it, or a file, as earlier ones did. */
  function staleLock(out: string, pid: number, pidStart?: string, legacy = false): void {
    const lock = path.join(out, LOCK_FILE);
    const owner = { token: 'old', pid, pidStart, host: os.hostname(), startedAt: '2023-02-08T00:00:00.000Z' };
    fs.mkdirSync(out, { recursive: true });
    if (legacy) {
      fs.writeFileSync(lock, JSON.stringify(owner));
      return;
    }
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'owner-old.json'), JSON.stringify(owner));
  }

  it('lets exactly one of six simultaneous runs take over a stale lock, in every trial (row 4)', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    for (let trial = 0; trial < 20; trial++) {
      const out = path.join(work, `trial-${trial}`);
      staleLock(out, Number(dead.stdout), undefined, trial % 2 === 1);
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => lockOutput(out)));
      const held = outcomes.filter((o): o is PromiseFulfilledResult<OutputLock> => o.status === 'fulfilled');
      expect({ trial, held: held.length }).toEqual({ trial, held: 1 });
      const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o.reason as Error).message);
      expect(refused.every((m) => /is in use by another clicklogger run/.test(m))).toBe(true);
      await held[0].value.release();
      expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    }
  });

  it('takes over a lock whose PID now belongs to another process (row 11)', async () => {
    // This test's own parent runs, but it is not the process that took the lock.
    staleLock(work, process.ppid, 'a start time that is not that process’s');
    const notices: string[] = [];
    const lock = await lockOutput(work, (line) => notices.push(line));
    expect(notices).toEqual([expect.stringMatching(new RegExp(`from PID ${process.ppid} .* no longer running$`))]);
    await lock.release();
  });

  it('takes over a lock folder that holds a stray file and no owner, and says so', async () => {
    const lock = path.join(work, LOCK_FILE);
    fs.mkdirSync(lock, { recursive: true });
    fs.writeFileSync(path.join(lock, '.DS_Store'), 'finder');
    const notices: string[] = [];
    const held = await lockOutput(work, (line) => notices.push(line));
    expect(notices).toEqual([`took over the lock of ${work}: it held no owner, only .DS_Store`]);
    await held.release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a lock folder whose owner entry is a folder, not a file', async () => {
    fs.mkdirSync(path.join(work, LOCK_FILE, 'owner-x.json'), { recursive: true });
    const notices: string[] = [];
    const held = await lockOutput(work, (line) => notices.push(line));
    expect(notices).toEqual([`took over the lock of ${work}: it held no owner, only owner-x.json`]);
    await held.release();
  });

  it('takes over a dead owner beside a stray file', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    staleLock(work, Number(dead.stdout));
    fs.writeFileSync(path.join(work, LOCK_FILE, 'notes.txt'), 'mine');
    const held = await lockOutput(work);
    await held.release();
    expect(fs.existsSync(path.join(work, LOCK_FILE))).toBe(false);
  });

  it('removes the draft lock folder of a run that was killed before it took the lock', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const token = '0b5ad0e1-2f4c-4a7e-9d3b-7c1e2a4b5c6d';
    const draft = path.join(work, `${LOCK_FILE}.${token}.draft`);
    fs.mkdirSync(draft);
    const owner = { token, pid: Number(dead.stdout), host: os.hostname(), startedAt: '2023-02-08T00:00:00.000Z' };
    fs.writeFileSync(path.join(draft, `owner-${token}.json`), JSON.stringify(owner));
    const held = await lockOutput(work);
    await held.release();
    expect(fs.readdirSync(work)).toEqual([]);
  });

  it('refuses while the process that took the lock runs', async () => {
    staleLock(work, process.ppid, processStartTime(process.ppid));
    await expect(lockOutput(work)).rejects.toThrow(
      new RegExp(`in use by another clicklogger run \\(PID ${process.ppid} `),
    );
  });
});
