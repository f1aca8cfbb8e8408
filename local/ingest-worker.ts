/**
 * The ingestion of an events file, in a worker thread: reading, parsing, validation and encoding
 * (the ingestion core, unchanged) run here, beside the main thread, which holds the local
 * Firehose and answers each PutRecordBatch. Messages are defined in worker-ingestion.ts.
 */
import { parentPort } from 'node:worker_threads';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { FirehoseSender } from '../functions/ingest/deliver';
import { ingestEvents, type IngestSummary } from '../functions/ingest/ingest';
import { readEvents } from './events-file';
import type { FromWorker, ToWorker, WorkerInput } from './worker-ingestion';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const answers = new Map<
  number,
  { resolve: (output: PutRecordBatchCommandOutput) => void; reject: (e: Error) => void }
>();
let nextId = 0;
let stopped = false;

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') {
    // The file comes once this worker's code is loaded and the stack's settings are known.
    run(message.input).then(
      () => post({ type: 'done' }),
      (error: unknown) => {
        const e = error as Error & { exitCode?: number };
        post({ type: 'failed', error: { name: e.name, message: e.message, exitCode: e.exitCode } });
      },
    );
    return;
  }
  if (message.type === 'stop') {
    stopped = true;
    return;
  }
  const waiting = answers.get(message.id);
  answers.delete(message.id);
  if (message.type === 'answer') waiting?.resolve(message.output as PutRecordBatchCommandOutput);
  else waiting?.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
});

/** PutRecordBatch, answered by the local Firehose on the main thread. */
const firehose: FirehoseSender = {
  send(command: PutRecordBatchCommand) {
    const id = nextId++;
    const records = (command.input.Records ?? []).map((record) => record.Data ?? new Uint8Array());
    return new Promise((resolve, reject) => {
      answers.set(id, { resolve, reject });
      post({ type: 'send', id, stream: command.input.DeliveryStreamName ?? '', records });
    });
  },
};

/** Chunks validated and encoded ahead while earlier ones wait for their answers. */
const AHEAD = 4;

/**
 * Where each event of a chunk came from, for the main thread: only the rejected and failed ones
 * are ever named, so only theirs cross (a sparse list), not one string per event.
 */
function namedPlaces(where: readonly string[], summary: IngestSummary): string[] {
  const named: string[] = [];
  for (const { index } of summary.rejected) named[index] = where[index];
  for (const { index } of summary.failed) named[index] = where[index];
  return named;
}

async function run(input: WorkerInput): Promise<void> {
  const inFlight: {
    chunk: { where: string[]; unreadable: { where: string; reason: string }[]; events: number };
    summary: Promise<IngestSummary>;
  }[] = [];
  const report = async () => {
    const { chunk, summary } = inFlight.shift()!;
    const outcome = await summary;
    const { accepted, rejected, failed } = outcome;
    post({ type: 'chunk', ...chunk, where: namedPlaces(chunk.where, outcome), accepted, rejected, failed });
  };
  for await (const chunk of readEvents(input.file, input.requestSize)) {
    if (stopped) break;
    inFlight.push({
      chunk: { where: chunk.where, unreadable: chunk.unreadable, events: chunk.events.length },
      summary: ingestEvents(chunk.events, {
        firehose,
        streamName: input.streamName,
        receivedAt: input.receivedAt === undefined ? new Date() : new Date(input.receivedAt),
        maxClockSkewMs: input.maxClockSkewMs,
        // No Lambda here: nothing fails for want of time.
        deadline: Number.POSITIVE_INFINITY,
      }),
    });
    if (inFlight.length >= AHEAD) await report();
  }
  while (inFlight.length > 0) await report();
}
