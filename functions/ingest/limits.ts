/** Limits of one ingestion request and of Firehose's PutRecordBatch. */
export const LIMITS = {
  /** Lambda's synchronous payload limit. */
  maxBodyBytes: 6 * 1024 * 1024,
  maxEventsPerRequest: 100_000,
  /** PutRecordBatch: at most 500 records... */
  maxBatchRecords: 500,
  /** ...and "4 MB for the entire request" (Firehose API reference); MB or MiB is not said, so stay under 4,000,000 bytes. */
  maxBatchBytes: 4_000_000,
  /** Firehose's per-record limit, 1,000 KiB. */
  maxRecordBytes: 1000 * 1024,
  /** Multi-record deaggregation splits at most 500 JSON objects out of one record. */
  maxClicksPerRecord: 500,
} as const;
