/**
 * Ingests an events file in a worker thread (ingest-worker.ts): reading, parsing, validation and
 * encoding use the second core, while this thread's local Firehose takes each PutRecordBatch, in
 * order, and DuckDB converts full buffers. The answers cross back as PutRecordBatch answers do,
 * so the ingestion core runs unchanged; errors come back by name and message.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { UserError } from '../functions/shared/errors';
import type { LocalFirehose } from './firehose-sink';

export interface WorkerInput {
  readonly file: string;
  readonly requestSize: number;
  readonly streamName: string;
  readonly maxClockSkewMs: number;
  /** Epoch ms; default: when each chunk is ingested. */
  readonly receivedAt?: number;
}

export interface ChunkReport {
  /** The place (`line 12`) of each rejected or failed event, by its index in the chunk; sparse. */
  readonly where: string[];
  readonly unreadable: { where: string; reason: string }[];
  readonly events: number;
  readonly accepted: number;
  readonly rejected: { index: number; errors: string[] }[];
  readonly failed: { index: number; error: string }[];
}

export type FromWorker =
  | { type: 'send'; id: number; stream: string; records: Uint8Array[] }
  | ({ type: 'chunk' } & ChunkReport)
  | { type: 'done' }
  | { type: 'failed'; error: { name: string; message: string; exitCode?: number } };

export type ToWorker =
  | { type: 'answer'; id: number; output: unknown }
  | { type: 'refused'; id: number; error: { name: string; message: string } }
  | { type: 'start'; input: WorkerInput }
  | { type: 'stop' };

const WORKER = path.join(__dirname, 'ingest-worker.ts');
// Resolved here: an eval'd worker resolves bare names from the working folder, not from this file.
const TSX_REGISTER = require.resolve('tsx/cjs/api');

/**
 * An ingestion worker, started before it has work: it loads and compiles its code while this
 * thread synthesizes the stack. `ingest` gives it the file; `stop` ends it (always call it).
 */
export interface IngestionWorker {
  /**
   * Runs the worker to the end of the file; `onChunk` gets each chunk's outcome, in order, and
   * may return true to stop reading (a full disk). Rejects with the worker's error, or on `signal`.
   */
  ingest(
    input: WorkerInput,
    sink: Pick<LocalFirehose, 'send'>,
    onChunk: (report: ChunkReport) => boolean,
    signal?: AbortSignal,
  ): Promise<void>;
  stop(): Promise<void>;
}

export function startIngestionWorker(): IngestionWorker {
  // The worker compiles its TypeScript as this process does.
  const boot = `require(${JSON.stringify(TSX_REGISTER)}).register(); require(${JSON.stringify(WORKER)});`;
  // A small heap: the worker holds a few requests at a time, and a tight heap keeps the RSS down.
  const worker = new Worker(boot, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
  });
  // Until `ingest` listens, an early failure (it could not load) is kept for it.
  let early: Error | undefined;
  const keep = (error: Error) => void (early ??= error);
  const exited = (code: number) => keep(new Error(`the ingestion worker exited with code ${code}`));
  worker.on('error', keep).on('exit', exited);
  return {
    ingest: (input, sink, onChunk, signal) => {
      worker.off('error', keep).off('exit', exited);
      if (early) return Promise.reject(early);
      return ingestIn(worker, input, sink, onChunk, signal);
    },
    stop: async () => void (await worker.terminate()),
  };
}

async function ingestIn(
  worker: Worker,
  input: WorkerInput,
  sink: Pick<LocalFirehose, 'send'>,
  onChunk: (report: ChunkReport) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const tell = (message: ToWorker) => worker.postMessage(message);
  // PutRecordBatch calls are answered one at a time, in the order they came.
  let queue = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        tell({ type: 'stop' });
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', stop, { once: true });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the ingestion worker exited with code ${code}`)));
      // Answers to its calls come back through the listener below, attached in this same turn.
      tell({ type: 'start', input });
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'send':
            queue = queue.then(async () => {
              try {
                const output = await sink.send(
                  new PutRecordBatchCommand({
                    DeliveryStreamName: message.stream,
                    Records: message.records.map((Data) => ({ Data })),
                  }),
                );
                tell({ type: 'answer', id: message.id, output: { ...output, $metadata: {} } });
              } catch (error) {
                const e = error as Error;
                tell({ type: 'refused', id: message.id, error: { name: e.name, message: e.message } });
              }
            });
            break;
          case 'chunk':
            if (onChunk(message)) tell({ type: 'stop' });
            break;
          case 'done':
            signal?.removeEventListener('abort', stop);
            resolve();
            break;
          case 'failed': {
            const { name, message: text, exitCode } = message.error;
            const error = exitCode === undefined ? new Error(text) : new UserError(text, { exitCode });
            error.name = name;
            reject(error);
            break;
          }
        }
      });
    });
  } finally {
    await queue;
    await worker.terminate();
  }
}
