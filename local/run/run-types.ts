/** What a local run is asked, and what it answers: the types that the run and its callers share. */
import type { UserError } from '../../core/errors';
import type { HandledRequest } from '../../functions/ingest/handle';
import type { EngineName } from '../emr/engine-names';
import type { EventChunk } from '../input/events-file';
import type { SinkFiles, SinkStats } from '../firehose/sink-files';
import type { JobState } from '../emr/job-runner';
import type { DayFigures } from './reconciliation';
import type { WorkflowResult } from '../stepfunctions/report-workflow';
import type { LocalStack } from './synthesized-stack';

export interface LocalRunOptions {
  /** The dates to report (each re-reported). Default: every date this run stored clicks for. */
  readonly dates?: readonly string[];
  /**
   * Events in chunks, each chunk one ingestion request; or a file of events, which a worker
   * thread reads and ingests in requests of `requestSize` events, beside this thread's sink.
   */
  readonly events:
    | Iterable<unknown[] | EventChunk>
    | AsyncIterable<unknown[] | EventChunk>
    | { readonly file: string; readonly requestSize: number }
    /** Requests to the collector (`clicklogger serve`), each answered as it is ingested; the run reports once they end. */
    | { readonly requests: AsyncIterable<CollectorRequest> };
  /** Config overrides of the stack the run synthesizes (serve's public collector), in cdktf.json's context form. */
  readonly stackContext?: Record<string, unknown>;
  /** Called once the stack is synthesized and the output folder made ready, before anything is ingested. */
  readonly onReady?: (stack: LocalStack) => void;
  readonly outDir: string;
  /**
   * Keep what earlier runs left in outDir (clicks, reports, the ledger) and add to it, as a
   * second day of sends would. Default: start from empty buckets.
   */
  readonly keep?: boolean;
  /** Ingestion time, the createdtime of events without one. Default: when each chunk is ingested. */
  readonly receivedAt?: Date;
  readonly onProgress?: (ingested: number) => void;
  /** Hears what the run repaired in a kept folder (a ledger an earlier run left unfinished). */
  readonly onNotice?: (line: string) => void;
  /** Called once ingestion and delivery are over (every click stored), as the report workflow starts. */
  readonly onIngested?: () => void;
  readonly onState?: (state: string, detail?: string) => void;
  /** The engine of the report job. Default: duckdb. */
  readonly engine?: EngineName;
  /** Called on each state the report job run enters. */
  readonly onJobState?: (state: JobState) => void;
  /** The engine's own output, line by line (Spark's logs); hidden without it. */
  readonly onEngineOutput?: (line: string) => void;
  /**
   * Changes the kept folder before anything is ingested, under the run's lock, after an earlier
   * run's leftovers are mended and the ledger is marked (`clicklogger erase`): the dates it
   * returns are the ones to report.
   */
  readonly prepare?: (stack: LocalStack) => Promise<readonly string[]>;
  /** Prepares the run (tests use it to break things on purpose). */
  readonly beforeReport?: (stack: LocalStack) => Promise<void>;
  /** The local Firehose's file operations (tests inject write failures). */
  readonly sinkFiles?: SinkFiles;
  /**
   * Stops the run (Ctrl-C, SIGTERM): ingestion stops, a write in progress is interrupted, the
   * report job is stopped and waited for, and the run rejects with the signal's reason. Nothing
   * is written once it has settled.
   */
  readonly signal?: AbortSignal;
}

/** One request to the collector: the ingestion function's event, and where its answer goes. */
export interface CollectorRequest {
  readonly event: unknown;
  readonly respond: (handled: HandledRequest) => void;
}

export interface IngestionTotals {
  events: number;
  accepted: number;
  rejected: number;
  failed: number;
  /** Valid events of erased people, dropped. */
  suppressed: number;
  /** Kind of rejection → how many events, and where the first few are. */
  reasons: Map<string, Occurrences>;
  /** Delivery failure reason → how many valid events, and where the first few are. */
  failures: Map<string, Occurrences>;
}

export interface Occurrences {
  count: number;
  /** Where the first few are ("line 3", "index 2"), when known. */
  where: string[];
}

/** One day the run reported. */
export interface ReportedDay {
  readonly date: string;
  /** Why it was reported: asked for, or why its earlier report no longer holds. */
  readonly reason: string;
  readonly markdown: string;
  readonly path: string;
  readonly figures: DayFigures;
}

export interface LocalRunResult {
  readonly stack: LocalStack;
  readonly ingestion: IngestionTotals;
  readonly sink: SinkStats;
  /** Why the run stopped before the report, if it did: the disk is full, or no event was accepted. */
  readonly stopped?: UserError;
  /** Set when the report ran. */
  readonly workflow?: WorkflowResult;
  /** Set when the workflow succeeded: every day reported, in date order. */
  readonly reports?: ReportedDay[];
}
