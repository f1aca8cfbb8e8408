/**
 * The ingestion worker: started before it has work (it loads while the stack is synthesized),
 * then given a file; it sends PutRecordBatch calls to this thread's sink and reports each chunk,
 * naming only the events that were rejected.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { type ChunkReport, startIngestionWorker } from '../../local/worker-ingestion';
import { eventLine } from '../support/clicks';

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

it('stops cleanly when it never gets work', async () => {
  const worker = startIngestionWorker();
  await expect(worker.stop()).resolves.toBeUndefined();
});

it('ingests a file given after it has loaded, and names only the rejected events', async () => {
  const file = path.join(work, 'events.jsonl');
  const lines = Array.from({ length: 250 }, (_, i) => (i === 7 || i === 200 ? '{"requestid": 3}' : eventLine(i)));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const worker = startIngestionWorker();
  try {
    // Give it time to load first, as the stack's synthesis does.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sink = recordingSink();
    const reports: ChunkReport[] = [];
    await worker.ingest(
      {
        file,
        requestSize: 100,
        streamName: 'stream',
        maxClockSkewMs: 300_000,
        receivedAt: Date.parse('2023-02-09T00:00:00Z'),
      },
      sink,
      (report) => {
        reports.push(report);
        return false;
      },
    );
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
    expect(new Set(sink.lines.map((l) => (JSON.parse(l) as { requestid: string }).requestid)).size).toBe(248);
  } finally {
    await worker.stop();
  }
});
