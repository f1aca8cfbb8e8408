/**
 * The ingestion worker: started on a file before the sink exists (the stack is synthesized
 * meanwhile), then connected to it; it sends PutRecordBatch calls to this thread's sink, the
 * early ones first and in order, and reports each chunk, naming only the events that were rejected.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { type ChunkReport, startIngestionWorker } from '../../../local/input/ingestion-worker';
import { eventLine } from '../../support/clicks';
import { TEST_PSEUDONYM_KEY } from '../../support/privacy';

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-worker-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** A sink that keeps every record's clicks and accepts them all. */
function recordingSink() {
  const lines: string[] = [];
  return {
    lines,
    send: async (command: PutRecordBatchCommand) => {
      const records = command.input.Records ?? [];
      for (const record of records) lines.push(...Buffer.from(record.Data!).toString('utf8').trimEnd().split('\n'));
      return {
        FailedPutCount: 0,
        Encrypted: false,
        RequestResponses: records.map((_, i) => ({ RecordId: `r${i}` })),
        $metadata: {},
      };
    },
  };
}

const input = (file: string) => ({
  file,
  requestSize: 100,
  streamName: 'stream',
  maxClockSkewMs: 300_000,
  privacy: { clientIp: 'truncate', user: 'pseudonymize' } as const,
  pseudonymKey: TEST_PSEUDONYM_KEY,
  suppressed: [],
  receivedAt: Date.parse('2023-02-09T00:00:00Z'),
});

it('stops cleanly when it is never connected to a sink', async () => {
  const worker = startIngestionWorker(input(path.join(work, 'missing.jsonl')));
  await expect(worker.stop()).resolves.toBeUndefined();
});

it('reports a failure from before it was connected, when it is', async () => {
  const worker = startIngestionWorker(input(path.join(work, 'missing.jsonl')));
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(worker.ingest(recordingSink(), () => false)).rejects.toThrow(/cannot read .*missing\.jsonl: ENOENT/);
  } finally {
    await worker.stop();
  }
});

it('ingests from the start, keeps its calls until the sink is connected, and names only the rejected events', async () => {
  const file = path.join(work, 'events.jsonl');
  const lines = Array.from({ length: 250 }, (_, i) => (i === 7 || i === 200 ? '{"requestid": 3}' : eventLine(i)));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const worker = startIngestionWorker(input(file));
  try {
    // The sink comes later, as it does after the stack's synthesis.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sink = recordingSink();
    const reports: ChunkReport[] = [];
    await worker.ingest(sink, (report) => {
      reports.push(report);
      return false;
    });
    expect(reports.map((r) => [r.events, r.accepted, r.rejected.length])).toEqual([
      [100, 99, 1],
      [100, 100, 0],
      [50, 49, 1],
    ]);
    expect(reports[0].where[reports[0].rejected[0].index]).toBe('line 8');
    expect(reports[2].where[reports[2].rejected[0].index]).toBe('line 201');
    // Sparse: one place for the one rejected event, not one string per event.
    expect(Object.keys(reports[0].where)).toEqual([String(reports[0].rejected[0].index)]);
    expect(reports[1].where).toEqual([]);
    // Every accepted click once, in the file's order.
    const ids = sink.lines.map((l) => (JSON.parse(l) as { requestid: string }).requestid);
    const expected = lines
      .filter((_, i) => i !== 7 && i !== 200)
      .map((l) => (JSON.parse(l) as { requestid: string }).requestid);
    expect(ids).toEqual(expected);
  } finally {
    await worker.stop();
  }
});
