/** Limits of one ingestion request and of Firehose's PutRecordBatch. */
export const LIMITS = {
  /** Lambda's synchronous payload limit. */
  maxBodyBytes: 6 * 1024 * 1024,
  maxEventsPerRequest: 100_000,
  /** PutRecordBatch: at most 500 records... */
  maxBatchRecords: 500,
  /** ...and 4 MiB per call. */
  maxBatchBytes: 4 * 1024 * 1024,
  /** Firehose's per-record limit, 1,000 KiB. */
  maxRecordBytes: 1000 * 1024,
} as const;
