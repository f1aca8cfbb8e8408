/**
 * Runs the erase state machine on this machine: the definition the stack deploys, with local
 * names, on aws-local-stepfunctions, its job on the local EMR Serverless stand-in with either
 * engine (DuckDB, or the Spark job's own erase mode on local Spark).
 */
import type { EraseInput } from '../../stacks/erase-definition';
import type { EngineName } from '../emr/engine-names';
import type { JobState } from '../emr/job-runner';
import type { LocalStack } from '../run/synthesized-stack';
import { localEmrServerless, pollMsFor } from './local-emr';
import { localEraseDefinition, runReportWorkflow, type WorkflowResult } from './report-workflow';

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
  const emr = localEmrServerless(stack, options);
  return runReportWorkflow({
    stack,
    emr,
    input: { ...options.input },
    definition: localEraseDefinition(stack),
    pollMs: pollMsFor(engine),
    signal: options.signal,
  });
}
