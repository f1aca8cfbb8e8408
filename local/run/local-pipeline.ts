/**
 * The whole pipeline on this machine, with the code and configuration the cloud runs:
 * events → ingestion core (validation, normalization, batching) → local Firehose
 * (Parquet, event-date partitions) → the report state machine → the report job, on DuckDB
 * (the default) or on local Spark.
 *
 * This module is what callers load first, and it loads little: an events file's ingestion worker
 * starts before the run's own code (pipeline-stages.ts, with cdktf, DuckDB and the state machine
 * runner: about a second to load and synthesize) is loaded, and ingests meanwhile.
 */
import { localIngestionSettings } from './local-config';
import type * as PipelineRun from './pipeline-stages';
import type { LocalRunOptions, LocalRunResult } from './run-types';
import { startIngestionWorker } from '../input/ingestion-worker';
import { keyIfNeeded } from './pseudonym-key-file';
import { readSuppressionList } from './suppression-list';

export type { IngestionTotals, LocalRunOptions, LocalRunResult, Occurrences, ReportedDay } from './run-types';

export async function runLocalPipeline(options: LocalRunOptions): Promise<LocalRunResult> {
  const { events } = options;
  // An events file is ingested from the start, with the settings the stack is built from; the
  // run checks them against the synthesized stack before the sink takes any of it.
  const settings = 'file' in events ? localIngestionSettings() : undefined;
  const suppressed = settings ? await readSuppressionList(options.outDir) : [];
  const pseudonymKey = settings ? await keyIfNeeded(settings.privacy, options.outDir, suppressed) : undefined;
  const worker =
    'file' in events && settings
      ? startIngestionWorker({
          ...events,
          ...settings,
          pseudonymKey,
          suppressed,
          receivedAt: options.receivedAt?.getTime(),
        })
      : undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- require() is how CommonJS loads on demand
    const { runPipeline } = require('./pipeline-stages') as typeof PipelineRun;
    return await runPipeline(options, worker && settings && { worker, settings });
  } finally {
    await worker?.stop();
  }
}
