/**
 * `clicklogger run`: starts one report execution for a day or a range of days (one job run
 * reports them all, with any late-data days the plan adds) and follows it.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { REPORT_FILES } from '../core/contracts';
import { describeError } from '../core/errors';
import { ASKED_FOR } from '../functions/plan-dates/plan';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { clientConfig, type CloudOptions, s3Client } from './cloud';
import { bucketSource, fetchReport } from './report-sources';
import { askedDates } from './dates';
import { driverWords, jobRunCost, jobRunFromHistory, type JobRunRef } from './job-run';
import { CliError } from './errors';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import type { Io } from './io';
import type { StackOutputs } from './stack-outputs';
import { deployedStage } from './stage-access';
import { RUN_USAGE } from './usage';

/** What a history event says about the run's progress, if anything. */
function describeEvent(event: HistoryEvent): string | undefined {
  if (event.type?.endsWith('StateEntered')) return `→ ${event.stateEnteredEventDetails?.name}`;
  const output = event.taskSucceededEventDetails?.output ?? event.lambdaFunctionSucceededEventDetails?.output;
  if (output) {
    try {
      const parsed = JSON.parse(output) as { Payload?: { state?: unknown }; state?: unknown } | null;
      const state = parsed?.Payload?.state ?? parsed?.state;
      if (typeof state === 'string') return `  job state: ${state}`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Starts one report execution; its name carries the dates, so the console lists runs by day. */
export async function startReport(
  sfn: SFNClient,
  outputs: StackOutputs,
  input: { InputDate: string } | { From: string; To: string } | { InputDates: readonly string[] },
  now: Date,
): Promise<string> {
  const days =
    'InputDate' in input
      ? input.InputDate
      : 'InputDates' in input
        ? `${input.InputDates[0]}-and-${input.InputDates.length - 1}-more`
        : `${input.From}..${input.To}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: outputs.state_machine_arn,
      name: `report-${days}-${now.getTime()}`,
      input: JSON.stringify(input),
    }),
  );
  if (!executionArn) throw new CliError(`StartExecution for ${days} returned no execution ARN`);
  return executionArn;
}

interface Outcome {
  status: string;
  error?: string;
  cause?: string;
  /** The execution's output (JSON), once it has succeeded. */
  output?: string;
}

/** Polls an execution to its end, passing each new history event to `onEvent`. */
async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  sleep: (ms: number) => Promise<void>,
  pollMs: number,
  onEvent: (event: HistoryEvent) => void = () => undefined,
): Promise<Outcome> {
  const seen = new Set<number>();
  for (;;) {
    // Status first, then history: once the status is final, the history read after it is complete.
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      for (const event of page.events ?? []) {
        if (event.id === undefined || seen.has(event.id)) continue;
        seen.add(event.id);
        onEvent(event);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (execution.status && execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
      return { status: execution.status, error: execution.error, cause: execution.cause, output: execution.output };
    }
    await sleep(pollMs);
  }
}

/**
 * Follows an execution to its end, printing its states and job states; one that did not succeed
 * prints what its job said and fails. The outcome, and the job run it started, if any.
 */
export async function followExecution(
  sfn: SFNClient,
  outputs: StackOutputs,
  executionArn: string,
  io: Io,
  options: CloudOptions,
): Promise<{ outcome: Outcome; jobRun?: JobRunRef }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const history: HistoryEvent[] = [];
  const outcome = await waitForExecution(sfn, executionArn, sleep, (options.pollSeconds ?? 5) * 1000, (event) => {
    history.push(event);
    const line = describeEvent(event);
    if (line) io.out(line);
  });
  const jobRun = jobRunFromHistory(history);
  if (outcome.status !== 'SUCCEEDED') {
    if (jobRun) await printJobsWords(io, outputs, jobRun);
    throw new CliError(
      `execution ${outcome.status}: ${outcome.error ?? 'no error'}: ${outcome.cause ?? 'no cause given'}`,
    );
  }
  return { outcome, jobRun };
}

/** What the failed job said, from its driver's logs; a run without logs says where it looked. */
async function printJobsWords(io: Io, outputs: StackOutputs, jobRun: JobRunRef): Promise<void> {
  if (!outputs.logs_bucket) {
    io.out(`job run ${jobRun.jobRunId}: the stack's outputs name no logs bucket, so its logs are not shown`);
    return;
  }
  const words = await driverWords(s3Client(outputs), outputs.logs_bucket, jobRun);
  if ('problem' in words) {
    io.out(`job run ${jobRun.jobRunId}: ${words.problem}`);
    return;
  }
  io.out(`job run ${jobRun.jobRunId} said (${words.where}):`);
  for (const line of words.lines) io.out(`  ${line}`);
}

/** The billed resources of the job run, priced; a cost that cannot be read is a note, not a failure. */
async function printJobCost(io: Io, outputs: StackOutputs, jobRun: JobRunRef): Promise<void> {
  try {
    const cost = await jobRunCost(new EMRServerlessClient(clientConfig(outputs)), jobRun);
    if (!cost) return io.out(`job run ${jobRun.jobRunId}: no billed resources reported yet`);
    io.out(
      `job run ${jobRun.jobRunId} billed ${cost.vcpuHours.toFixed(3)} vCPU-hours, ${cost.memoryGbHours.toFixed(3)} GB-hours ` +
        `of memory and ${cost.storageGbHours.toFixed(3)} GB-hours of storage: about $${cost.usd.toFixed(4)}`,
    );
  } catch (error) {
    io.out(`job run ${jobRun.jobRunId}: its cost is unknown (GetJobRun failed: ${describeError(error)})`);
  }
}

/** The dates an execution reported and why, from its output; the asked-for ones when it does not say. */
function reportedDays(output: string | undefined, asked: readonly string[]): { date: string; reason: string }[] {
  try {
    const { InputDates, Reasons } = JSON.parse(output ?? '') as {
      InputDates?: unknown;
      Reasons?: Record<string, string>;
    };
    if (Array.isArray(InputDates) && InputDates.every((d) => typeof d === 'string')) {
      return InputDates.map((date: string) => ({ date, reason: Reasons?.[date] ?? ASKED_FOR }));
    }
  } catch {
    // No usable output: fall back to what was asked.
  }
  return asked.map((date) => ({ date, reason: ASKED_FOR }));
}

export async function runCommand(argv: string[], io: Io, options: CloudOptions = {}): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.run, RUN_USAGE);
  const { asked: which, dates: asked } = askedDates(values, RUN_USAGE);
  const input = 'date' in which ? { InputDate: which.date } : { From: which.from, To: which.to };
  const now = options.now?.() ?? new Date();

  const outputs = await deployedStage(values.stage, ['state_machine_arn', 'output_bucket']);
  const sfn = new SFNClient(clientConfig(outputs));
  const executionArn = await startReport(sfn, outputs, input, now);
  io.out(`started ${executionArn}`);
  if (values['no-wait']) return 0;
  const { outcome, jobRun } = await followExecution(sfn, outputs, executionArn, io, options);
  const days = reportedDays(outcome.output, asked);
  io.out(`execution SUCCEEDED; reports in s3://${outputs.output_bucket}/`);
  for (const { date, reason } of days) {
    io.out(reason === ASKED_FOR ? `reported ${date}` : `also reported ${date}: ${reason}`);
  }
  if (jobRun) await printJobCost(io, outputs, jobRun);
  const reports = bucketSource(outputs);
  for (const { date } of days) {
    io.out('');
    io.out(reports.locate(date, REPORT_FILES.markdown));
    io.out((await fetchReport(reports, date)).trimEnd());
  }
  return 0;
}
