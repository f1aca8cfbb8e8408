/**
 * The local Firehose under injected write failures (a full disk, a lost permission) at random
 * points: every event counted as accepted is in the Parquet files exactly once, and nothing
 * else is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { ingestEvents } from '../../../functions/ingest/ingest';
import { diskFiles, type SinkFiles, SinkWriteError } from '../../../local/firehose/sink-files';
import { LocalFirehose } from '../../../local/firehose/local-firehose';
import { generateClicks } from '../../../local/input/samples';
import { type DeliverySettings, synthesizeLocalStack } from '../../../local/run/synthesized-stack';
import { withDuckDb, sqlString } from '../../../report/duckdb';
import { defaultPrivacy } from '../../support/privacy';

let settings: DeliverySettings;
let work: string;
beforeAll(() => {
  // A buffer of about three PutRecordBatch calls, so that flushes happen mid-run.
  settings = { ...synthesizeLocalStack().delivery, bufferingSizeMiB: 0.3 };
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-faults-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * File operations that fail at the given operation numbers: as a full disk would (ENOSPC, which
 * stops the sink), or as a passing I/O fault would (EIO, which fails the entries of one call).
 */
function faultyFiles(failAt: ReadonlySet<number>, leaveStaged: boolean, diskFull = true): SinkFiles {
  let op = 0;
  const fail = () => failAt.has(op++);
  const full = () =>
    diskFull
      ? Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      : Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  return {
    async writeJsonLines(file, chunks, append) {
      if (fail()) throw full();
      return diskFiles.writeJsonLines(file, chunks, append);
    },
    async convertToParquet(jsonFiles, file, options) {
      if (!fail()) return diskFiles.convertToParquet(jsonFiles, file, options);
      if (leaveStaged) await diskFiles.convertToParquet(jsonFiles, file, options); // failed after writing
      throw full();
    },
    async writeFile(file, data) {
      if (fail()) throw full();
      return diskFiles.writeFile(file, data);
    },
    async rename(from, to) {
      if (fail()) throw Object.assign(new Error(`EACCES: permission denied, rename '${from}'`), { code: 'EACCES' });
      return diskFiles.rename(from, to);
    },
    async remove(file) {
      if (fail()) throw full();
      return diskFiles.remove(file);
    },
  };
}

/** What a reader of the bucket sees: rows and distinct request ids of the visible Parquet files. */
async function visibleRows(dir: string): Promise<{ rows: number; distinct: number }> {
  if (!fs.existsSync(dir)) return { rows: 0, distinct: 0 };
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith('.parquet'))
    .map((e) => path.join(e.parentPath, e.name));
  if (files.length === 0) return { rows: 0, distinct: 0 };
  return withDuckDb(async (db) => {
    const reader = await db.runAndReadAll(
      `SELECT count(*) AS rows, count(DISTINCT requestid) AS distinct FROM read_parquet([${files.map(sqlString).join(', ')}])`,
    );
    const [row] = reader.getRowObjectsJS();
    return { rows: Number(row.rows), distinct: Number(row.distinct) };
  });
}

it('writes exactly the accepted events, once each, whatever write fails', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3_000 }),
      fc.uniqueArray(fc.nat(30), { maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
      fc.nat(),
      async (events, failAt, leaveStaged, diskFull, seed) => {
        const out = fs.mkdtempSync(path.join(work, 'run-'));
        const sink = new LocalFirehose(settings, out, undefined, faultyFiles(new Set(failAt), leaveStaged, diskFull));
        let accepted = 0;
        let failed = 0;
        // Three event dates, so that a flush writes several partition files.
        const chunks = ['2023-02-07', '2023-02-08', '2023-02-09'].flatMap((date) =>
          [...generateClicks(date, Math.ceil(events / 3), 1_000, seed)].map((chunk) =>
            chunk.map((click) => ({ ...click, requestid: `${date}-${click.requestid}` })),
          ),
        );
        for (const chunk of chunks) {
          const summary = await ingestEvents(chunk, {
            firehose: sink,
            privacy: defaultPrivacy(),
            streamName: settings.streamName,
            receivedAt: new Date(),
            deadline: Number.POSITIVE_INFINITY,
            sleep: async () => undefined,
          });
          accepted += summary.accepted;
          failed += summary.failed.length;
        }
        try {
          await sink.close();
        } catch (error) {
          if (!(error instanceof SinkWriteError)) throw error;
          accepted -= error.records;
          failed += error.records;
        }
        const seen = await visibleRows(path.join(out, settings.rawBucket));
        expect({ accepted: accepted + failed, rows: seen.rows, distinct: seen.distinct }).toEqual({
          accepted: 3 * Math.ceil(events / 3),
          rows: accepted,
          distinct: accepted,
        });
        expect(sink.stats.delivered).toBe(accepted);
      },
    ),
    { numRuns: 40 },
  );
}, 120_000);

const send = (sink: LocalFirehose, chunk: unknown[], maxAttempts = 1) =>
  ingestEvents(chunk, {
    firehose: sink,
    privacy: defaultPrivacy(),
    streamName: settings.streamName,
    receivedAt: new Date(),
    deadline: Number.POSITIVE_INFINITY,
    maxAttempts,
    sleep: async () => undefined,
  });

it('answers a call that cannot reach the disk with every entry failed, and the reason, leaving nothing', async () => {
  const out = fs.mkdtempSync(path.join(work, 'run-'));
  const sink = new LocalFirehose(settings, out, undefined, {
    ...diskFiles,
    writeJsonLines: () =>
      Promise.reject(Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' })),
  });
  const [chunk] = generateClicks('2023-02-08', 3, 3);
  const summary = await send(sink, chunk);
  expect(summary.accepted).toBe(0);
  expect(summary.failed.map((f) => f.error)).toEqual(
    Array(3).fill(expect.stringMatching(/^ServiceUnavailableException: EACCES: permission denied, open/)),
  );
  expect(sink.bufferedRows).toBe(0);
  await sink.close();
  expect(await visibleRows(path.join(out, settings.rawBucket))).toEqual({ rows: 0, distinct: 0 });
  expect(fs.readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.staged'))).toEqual([]);
});

it('keeps what a flush cannot commit buffered, retries it at close, and reports it there if it still fails', async () => {
  const out = fs.mkdtempSync(path.join(work, 'run-'));
  let renames = 0;
  // The rename that commits a file is refused twice: by the flush a full buffer starts, and at close.
  const sink = new LocalFirehose({ ...settings, bufferingSizeMiB: 0 }, out, undefined, {
    ...diskFiles,
    rename: (from, to) =>
      ++renames <= 2
        ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, rename '${from}'`), { code: 'EACCES' }))
        : diskFiles.rename(from, to),
  });
  const [chunk] = generateClicks('2023-02-08', 3, 3);
  const summary = await send(sink, chunk);
  expect(summary.accepted).toBe(3);
  await sink.settled();
  expect(sink.bufferedRows).toBe(3);
  await expect(sink.close()).rejects.toMatchObject({ name: 'SinkWriteError', records: 3 });
  expect(await visibleRows(path.join(out, settings.rawBucket))).toEqual({ rows: 0, distinct: 0 });
  expect(fs.readdirSync(out, { recursive: true }).filter((f) => String(f).includes('.staged'))).toEqual([]);
});

it('fails the whole call on a full disk, without retrying it, and takes nothing more', async () => {
  const out = fs.mkdtempSync(path.join(work, 'run-'));
  const sink = new LocalFirehose({ ...settings, bufferingSizeMiB: 0 }, out, undefined, faultyFiles(new Set([0]), true));
  const [chunk] = generateClicks('2023-02-08', 3, 3);
  const summary = await send(sink, chunk, 6);
  expect(summary).toMatchObject({ accepted: 0, calls: 1 });
  expect(summary.failed.map((f) => f.error)).toEqual(
    Array(3).fill(expect.stringMatching(/^DiskFullError: the disk is full: cannot write .* \(ENOSPC\)$/)),
  );
  expect(sink.fatal?.reason).toBe('ENOSPC');
  const [later] = generateClicks('2023-02-09', 2, 2);
  expect(await send(sink, later)).toMatchObject({ accepted: 0, failed: [{ index: 0 }, { index: 1 }] });
  sink.discard();
  expect(fs.readdirSync(out, { recursive: true }).filter((f) => /\.(staged|partial)$/.test(String(f)))).toEqual([]);
});
