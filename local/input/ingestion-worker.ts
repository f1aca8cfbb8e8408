/**
 * Ingests an events file in a worker thread (ingestion-worker-thread.ts): reading, parsing, validation and
 * encoding use the second core, while this thread's local Firehose takes each PutRecordBatch, in
 * order, and DuckDB converts full buffers. The answers cross back as PutRecordBatch answers do,
 * so the ingestion core runs unchanged; errors come back by name and message.
 *
 * The worker starts on the file at once, before this thread has loaded cdktf and synthesized the
 * stack (about a second): its calls wait here, in order, until the sink takes them.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as Firehose from '@aws-sdk/client-firehose';
import { UserError } from '../../core/errors';
import type { PrivacySettings } from '../../core/privacy';
import type { IngestSummary } from '../../functions/ingest/ingest';
import { type EventChunk, placeOf } from './events-file';
import type { LocalFirehose } from '../firehose/local-firehose';

export interface WorkerInput {
  readonly file: string;
  readonly requestSize: number;
  readonly streamName: string;
  readonly maxClockSkewMs: number;
  readonly privacy: PrivacySettings;
  /** The output folder's pseudonym key, when users are pseudonymized or anyone is suppressed. */
  readonly pseudonymKey?: Uint8Array;
  /** The folder's suppression list. */
  readonly suppressed: readonly string[];
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
  readonly suppressed: number;
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
  /** The sink takes calls from now on. */
  | { type: 'connected' }
  | { type: 'stop' };

/**
 * Where the rejected and failed events of a chunk are: only those are ever named, so only theirs
 * are made and cross threads (a sparse list), not one name per event.
 */
export function namedPlaces(
  chunk: Pick<EventChunk, 'places' | 'unit'>,
  summary: Pick<IngestSummary, 'rejected' | 'failed'>,
): string[] {
  const named: string[] = [];
  for (const { index } of [...summary.rejected, ...summary.failed]) {
    // Events of a request with no known places (generated ones) stay unnamed.
    const place = placeOf(chunk, index);
    if (place !== undefined) named[index] = place;
  }
  return named;
}

const WORKER = path.join(__dirname, 'ingestion-worker-thread.ts');
// Resolved here: an eval'd worker resolves bare names from the working folder, not from this file.
const REGISTER_TYPESCRIPT = require.resolve('../../bin/register-typescript.js');

/** A worker ingesting a file: `ingest` connects it to the sink; `stop` ends it (always call it). */
export interface IngestionWorker {
  /**
   * Connects the worker to the sink and waits for the end of the file. Its calls so far come
   * first, in order. `onChunk` gets each chunk's outcome, in order, and may return true to stop
   * reading (a full disk). Rejects with the worker's error, or on `signal`.
   */
  ingest(
    sink: Pick<LocalFirehose, 'send'>,
    onChunk: (report: ChunkReport) => boolean,
    signal?: AbortSignal,
  ): Promise<void>;
  stop(): Promise<void>;
}

export function startIngestionWorker(input: WorkerInput): IngestionWorker {
  // The worker compiles its TypeScript as this process does.
  const boot = `require(${JSON.stringify(REGISTER_TYPESCRIPT)}).registerTypeScript(); require(${JSON.stringify(WORKER)});`;
  // A small heap: the worker holds a bounded number of requests, and a tight heap keeps the RSS down.
  const worker = new Worker(boot, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 48 },
  });
  worker.postMessage({ type: 'start', input } satisfies ToWorker);
  // Until `ingest` listens, what the worker says is kept for it, in order; so is a failure.
  const early: FromWorker[] = [];
  let failure: Error | undefined;
  const keepMessage = (message: FromWorker) => void early.push(message);
  const keepError = (error: Error) => void (failure ??= error);
  const exited = (code: number) => keepError(new Error(`the ingestion worker exited with code ${code}`));
  worker.on('message', keepMessage).on('error', keepError).on('exit', exited);
  return {
    ingest: (sink, onChunk, signal) => {
      worker.off('message', keepMessage).off('error', keepError).off('exit', exited);
      return ingestIn(worker, { early, failure }, sink, onChunk, signal);
    },
    stop: async () => void (await worker.terminate()),
  };
}

async function ingestIn(
  worker: Worker,
  before: { early: FromWorker[]; failure?: Error },
  sink: Pick<LocalFirehose, 'send'>,
  onChunk: (report: ChunkReport) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  // Loaded with the sink, which needs it too; not before, so that the worker starts sooner.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require() is how CommonJS loads on demand
  const { PutRecordBatchCommand } = require('@aws-sdk/client-firehose') as typeof Firehose;
  const tell = (message: ToWorker) => worker.postMessage(message);
  // PutRecordBatch calls are answered one at a time, in the order they came.
  let queue = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        tell({ type: 'stop' });
        reject(signal!.reason as Error);
      };
      const handle = (message: FromWorker) => {
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
      };
      if (signal?.aborted) return stop();
      signal?.addEventListener('abort', stop, { once: true });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the ingestion worker exited with code ${code}`)));
      worker.on('message', handle);
      tell({ type: 'connected' });
      for (const message of before.early.splice(0)) handle(message);
      if (before.failure) reject(before.failure);
    });
  } finally {
    await queue;
    await worker.terminate();
  }
}
