/**
 * Sends clicks to Firehose with PutRecordBatch, packed into records of up to 500 clicks. When
 * some entries fail, only those are resent (each with all its clicks), with exponential
 * backoff and full jitter, until they succeed, the attempts run out or the deadline (the
 * Lambda's remaining time) would pass. Nothing unsent is counted as delivered, and every
 * click is answered on its own.
 */
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { awsClientOptions } from '../../core/aws-client-options';
import { isTransientAwsError } from '../shared/aws-errors';
import { describeError } from '../../core/errors';
import { batches, type IndexedRecord, packRecords, type PackedRecord } from './batches';

interface DeliveryFailure {
  readonly index: number;
  readonly error: string;
}

export interface DeliveryResult {
  readonly delivered: number[];
  readonly failed: DeliveryFailure[];
  /** PutRecordBatch calls made, retries included. */
  readonly calls: number;
  /** Firehose records the clicks were packed into (each sent until it succeeded or failed). */
  readonly records: number;
}

export interface DeliveryOptions {
  readonly streamName: string;
  /** Epoch ms after which no new attempt starts; Infinity for none (the local sink). */
  readonly deadline: number;
  /** Attempts per record, the first included. Default: 6. */
  readonly maxAttempts?: number;
  /** Default: 100 ms. */
  readonly baseDelayMs?: number;
  /** Default: 5 s. */
  readonly maxDelayMs?: number;
  /** Clicks per Firehose record. Default: 500, the most Firehose deaggregates. */
  readonly maxClicksPerRecord?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Modelled Firehose errors that no retry can fix: the request, the stream, its key or a permission is wrong. */
const NON_RETRYABLE_ERRORS = new Set([
  'InvalidArgumentException',
  'InvalidKMSResourceException',
  'InvalidSourceException',
  'ResourceNotFoundException',
  'AccessDeniedException',
]);

/** Whether a failed call is worth another attempt: transient by the SDK's classification, and not modelled as permanent. */
function isRetryableCallError(error: unknown): boolean {
  return !NON_RETRYABLE_ERRORS.has((error as Error)?.name) && isTransientAwsError(error);
}

/** The Firehose client's options: deliver() retries entry by entry, so the client makes one attempt per call. */
export const firehoseClientOptions = () => ({ ...awsClientOptions(), maxAttempts: 1 });

/** What delivery needs of a Firehose client; the local sink implements it too. */
export interface FirehoseSender {
  send(command: PutRecordBatchCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordBatchCommandOutput>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function deliver(
  firehose: FirehoseSender,
  clicks: readonly IndexedRecord[],
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  // Packed before anything waits, so that the clicks' lines are let go while the calls run.
  return deliverRecords(firehose, packRecords(clicks, options.maxClicksPerRecord), options);
}

async function deliverRecords(
  firehose: FirehoseSender,
  records: readonly PackedRecord[],
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelay = options.baseDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 5_000;

  const delivered: number[] = [];
  const failed: DeliveryFailure[] = [];
  let calls = 0;

  for (const batch of batches(records)) {
    let pending = batch;
    let lastError = 'DeadlineExceeded';
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        const delay = Math.floor(random() * Math.min(maxDelay, baseDelay * 2 ** attempt));
        if (attempt >= maxAttempts || now() + delay >= options.deadline) break;
        await sleep(delay);
      } else if (now() >= options.deadline) {
        break;
      }

      let output: PutRecordBatchCommandOutput;
      try {
        calls++;
        output = await firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: options.streamName,
            Records: pending.map((record) => ({ Data: record.data })),
          }),
          Number.isFinite(options.deadline)
            ? { abortSignal: AbortSignal.timeout(Math.max(1, options.deadline - now())) }
            : undefined,
        );
      } catch (error) {
        lastError = describeError(error);
        if (!isRetryableCallError(error)) break;
        continue;
      }

      const responses = output.RequestResponses ?? [];
      if (!output.FailedPutCount) {
        for (const record of pending) delivered.push(...record.indexes);
        pending = [];
        break;
      }
      // RequestResponses[i] answers Records[i]: resend exactly the entries that failed.
      const retry: PackedRecord[] = [];
      pending.forEach((record, i) => {
        const response = responses[i];
        if (response && !response.ErrorCode && response.RecordId) delivered.push(...record.indexes);
        else {
          lastError = response?.ErrorCode
            ? `${response.ErrorCode}${response.ErrorMessage ? `: ${response.ErrorMessage}` : ''}`
            : 'MissingResponse';
          retry.push(record);
        }
      });
      pending = retry;
    }
    for (const record of pending) failed.push(...record.indexes.map((index) => ({ index, error: lastError })));
  }
  return { delivered, failed, calls, records: records.length };
}
