/**
 * Runs the erase state machine on this machine: the definition the stack deploys, with local
 * names, on aws-local-stepfunctions, its job on the local EMR Serverless stand-in with either
 * engine (DuckDB, or the Spark job's own erase mode on local Spark).
 */
import type { EraseInput } from '../../stacks/erase-definition';
import type { EngineName } from '../emr/engine-names';
import { jobEngine } from '../emr/job-engines';
import { type JobState, LocalEmrServerless } from '../emr/job-runner';
import type { LocalStack } from '../run/synthesized-stack';
import {
  LOCAL_APPLICATION_ID,
  localEraseDefinition,
  runReportWorkflow,
  scriptUri,
  type WorkflowResult,
} from './report-workflow';

export interface EraseWorkflowOptions {
  readonly stack: LocalStack;
  readonly outDir: string;
  readonly engine: EngineName;
  readonly input: EraseInput;
  readonly onJobState?: (state: JobState) => void;
  readonly onEngineOutput?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export async function runEraseWorkflow(options: EraseWorkflowOptions): Promise<WorkflowResult> {
  const { stack, engine } = options;
  const emr = new LocalEmrServerless({
    applicationId: LOCAL_APPLICATION_ID,
    scriptUri: scriptUri(stack),
    engine: jobEngine(engine, {
      outDir: options.outDir,
      sourceBucket: stack.sourceBucket,
      onOutput: options.onEngineOutput,
      parquetCompression: stack.delivery.parquetCompression,
    }),
    onJobState: options.onJobState,
  });
  return runReportWorkflow({
    stack,
    emr,
    input: { ...options.input },
    definition: localEraseDefinition(stack),
    // A Spark job takes seconds (the JVM starts first): poll it less often than DuckDB's.
    pollMs: engine === 'spark' ? 250 : 20,
    signal: options.signal,
  });
}
