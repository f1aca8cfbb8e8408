/** The loads the cost model prices, and what it assumes where the stack says nothing. */
import { SIZING } from '../core/job-sizing';

export interface Load {
  readonly clicksPerDay: number;
  /** A click as ingestion stores it: one JSON object and its newline. */
  readonly bytesPerClick: number;
  /** Clicks a sender puts in one ingestion request. */
  readonly clicksPerRequest: number;
}

export const DEFAULT_LOAD: Load = { clicksPerDay: 1_000_000, bytesPerClick: 220, clicksPerRequest: 100 };

/** What the model assumes where the stack says nothing. */
export const ASSUMPTIONS = {
  /** An ingestion invocation: a PutRecordBatch round trip, plus validation per click. */
  ingestMsPerRequest: 30,
  ingestMsPerClick: 0.005,
  /** Log bytes per invocation: Lambda's START, END and REPORT lines and one JSON line. */
  logBytesPerInvocation: 700,
  /** The public collector's access-log line per request (collector.ts's format). */
  accessLogBytesPerRequest: 250,
  /** Parquet (SNAPPY) bytes per byte of click JSON (core/job-sizing.ts has the job's assumptions). */
  parquetRatio: SIZING.parquetRatio,
  /** JQ time per click for the partition key. */
  jqMsPerClick: 0.01,
  /** Event dates a day's deliveries land in (today's, and late clicks of earlier days). */
  activePartitions: 1,
  /** The seed: a Java Lambda on x86_64 at 512 MB, one click per invocation of this many ms. */
  seedJavaMsPerClick: 100,
  seedLambdaMb: 512,
  /** The seed's EMR application stayed started this long after each job (its default auto-stop). */
  seedIdleMinutesAfterJob: 15,
} as const;
