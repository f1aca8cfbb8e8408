/**
 * The ingestion of an events file, in a worker thread: reading, parsing, validation and encoding
 * (the ingestion core, unchanged) run here, beside the main thread, which holds the local
 * Firehose and answers each PutRecordBatch. Messages are defined in ingestion-worker.ts.
 */
import { parentPort } from 'node:worker_threads';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { FirehoseSender } from '../../functions/ingest/deliver';
import { deliverPrepared, type IngestSummary, prepareEvents } from '../../functions/ingest/ingest';
import { ClickPrivacy } from '../../core/privacy';
import { type EventChunk, readEvents } from './events-file';
import { type FromWorker, namedPlaces, type ToWorker, type WorkerInput } from './ingestion-worker';

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
  if (message.type === 'connected') {
    aheadBytes = CONNECTED_BYTES;
    return;
  }
  const waiting = answers.get(message.id);
  answers.delete(message.id);
  if (message.type === 'answer') waiting?.resolve(message.output as PutRecordBatchCommandOutput);
  else waiting?.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
});

/**
 * A record's bytes in shared memory: the main thread reads them where they are. Posting an
 * ordinary buffer would copy it twice (into the message, then out of it).
 */
function shared(data: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(data.byteLength));
  copy.set(data);
  return copy;
}

/** PutRecordBatch, answered by the local Firehose on the main thread. */
const firehose: FirehoseSender = {
  send(command: PutRecordBatchCommand) {
    const id = nextId++;
    const records = (command.input.Records ?? []).map((record) => shared(record.Data ?? new Uint8Array()));
    return new Promise((resolve, reject) => {
      answers.set(id, { resolve, reject });
      post({ type: 'send', id, stream: command.input.DeliveryStreamName ?? '', records });
    });
  },
};

/**
 * How many encoded bytes may wait for their answers. Until the sink is connected (the main thread
 * is loading cdktf and synthesizing the stack), the worker runs this far ahead; the bytes sit here
 * and, shared, in the main thread's queue, so this bounds what the head start costs in memory.
 */
const HEAD_START_BYTES = 16 * 1024 * 1024;
/** Once the sink answers, a few requests ahead keep both threads busy; more would only hold memory. */
const CONNECTED_BYTES = 1024 * 1024;
let aheadBytes = HEAD_START_BYTES;
/** What a rejected event's report is taken to weigh against aheadBytes: a chunk of them sends nothing, but is kept too. */
const REJECTION_BYTES = 256;

async function run(input: WorkerInput): Promise<void> {
  const inFlight: {
    /** The chunk without its events, which are let go once encoded. */
    chunk: Omit<EventChunk, 'events'> & { events: number };
    bytes: number;
    summary: Promise<IngestSummary>;
  }[] = [];
  let waiting = 0;
  const report = async () => {
    const { chunk, bytes, summary } = inFlight.shift()!;
    const outcome = await summary;
    waiting -= bytes;
    const { accepted, rejected, failed, suppressed } = outcome;
    const { unreadable, events } = chunk;
    const where = namedPlaces(chunk, outcome);
    post({ type: 'chunk', where, unreadable, events, accepted, rejected, failed, suppressed });
  };
  const privacy = new ClickPrivacy(input.privacy, input.pseudonymKey, new Set(input.suppressed));
  const options = {
    firehose,
    streamName: input.streamName,
    maxClockSkewMs: input.maxClockSkewMs,
    privacy,
    // No Lambda here: nothing fails for want of time.
    deadline: Number.POSITIVE_INFINITY,
  };
  for await (const chunk of readEvents(input.file, input.requestSize)) {
    if (stopped) break;
    const receivedAt = input.receivedAt === undefined ? new Date() : new Date(input.receivedAt);
    // Validated and encoded now; the parsed events are let go before the answers come.
    const prepared = prepareEvents(chunk.events, { receivedAt, maxClockSkewMs: input.maxClockSkewMs, privacy });
    const bytes = prepared.bytes + (prepared.rejected.length + chunk.unreadable.length) * REJECTION_BYTES;
    waiting += bytes;
    const { places, unit, unreadable } = chunk;
    inFlight.push({
      chunk: { places, unit, unreadable, events: chunk.events.length },
      bytes,
      summary: deliverPrepared(prepared, { ...options, receivedAt }),
    });
    while (waiting > aheadBytes) await report();
  }
  while (inFlight.length > 0) await report();
}
