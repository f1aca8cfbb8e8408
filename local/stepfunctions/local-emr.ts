/**
 * The local stand-in for the stack's EMR Serverless application, as both workflows (report and
 * erase) run their jobs on it: the stack's job script, on the engine the run chose.
 */
import type { EngineName } from '../emr/engine-names';
import { jobEngine } from '../emr/job-engines';
import { type JobState, LocalEmrServerless } from '../emr/job-runner';
import type { LocalStack } from '../run/synthesized-stack';
import { LOCAL_APPLICATION_ID, scriptUri } from './report-workflow';

export interface LocalEmrOptions {
  /** Folder holding one sub-folder per bucket. */
  readonly outDir: string;
  readonly engine: EngineName;
  readonly onJobState?: (state: JobState, jobRunId: string) => void;
  /** Spark's own output, line by line. */
  readonly onEngineOutput?: (line: string) => void;
}

export function localEmrServerless(stack: LocalStack, options: LocalEmrOptions): LocalEmrServerless {
  return new LocalEmrServerless({
    applicationId: LOCAL_APPLICATION_ID,
    scriptUri: scriptUri(stack),
    engine: jobEngine(options.engine, {
      outDir: options.outDir,
      sourceBucket: stack.sourceBucket,
      onOutput: options.onEngineOutput,
      parquetCompression: stack.delivery.parquetCompression,
    }),
    onJobState: options.onJobState,
  });
}

/** Real milliseconds between polls: a Spark job takes seconds (the JVM starts first), DuckDB's far less. */
export function pollMsFor(engine: EngineName): number {
  return engine === 'spark' ? 250 : 20;
}
