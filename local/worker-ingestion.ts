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
  | { type: 'stop' };

const WORKER = path.join(__dirname, 'ingest-worker.ts');
// Resolved here: an eval'd worker resolves bare names from the working folder, not from this file.
const TSX_REGISTER = require.resolve('tsx/cjs/api');

/**
 * Runs the worker to the end of the file; `onChunk` gets each chunk's outcome, in order, and may
 * return true to stop reading (a full disk). Rejects with the worker's error, or on `signal`.
 */
export async function ingestFileInWorker(
  input: WorkerInput,
  sink: Pick<LocalFirehose, 'send'>,
  onChunk: (report: ChunkReport) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  // The worker compiles its TypeScript as this process does.
  const boot = `require(${JSON.stringify(TSX_REGISTER)}).register(); require(${JSON.stringify(WORKER)});`;
  // A small heap: the worker holds a few requests at a time, and a tight heap keeps the RSS down.
  const worker = new Worker(boot, {
    eval: true,
    workerData: input,
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
  });
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
