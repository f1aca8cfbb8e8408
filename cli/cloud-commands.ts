/**
 * Commands that drive a deployed stack: `send`, `run` and `report`. Resource names come from
 * the stack's outputs; the AWS SDK honours AWS_ENDPOINT_URL, so any endpoint works.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsClientOptions } from '../functions/shared/aws-client-options';
import { reportKeyPrefix } from '../functions/shared/report-date';
import { checkReportDate } from './dates';
import { batches, encodeRecord } from '../functions/ingest/batches';
import type { IngestResponse } from '../functions/ingest/response';
import { readEventsFile } from '../local/events-file';
import { samplesOn, SEED_SAMPLES } from '../local/samples';
import { describeError } from '../functions/shared/errors';
import { CliError, usageError } from './errors';
import { parseFlags } from './flags';
import type { Io } from './io';
import { loadOutputs, type StackOutputs } from './stack-outputs';

export const SEND_USAGE = 'clicklogger send [--stage dev] (--sample [--date YYYY-MM-DD] | --events FILE)';
export const RUN_USAGE =
  'clicklogger run (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD [--concurrency N]) [--no-wait] [--stage dev]';
export const REPORT_USAGE = 'clicklogger report --date YYYY-MM-DD [--stage dev]';

export interface CloudOptions {
  /** Seconds between status checks of `run`. Default: 5. */
  readonly pollSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

const STAGE = { stage: { type: 'string', default: 'dev' } } as const;
/** Events per Lambda invocation; the function takes up to 6 MiB per request. */
const EVENTS_PER_INVOKE = 1_000;
const MAX_INVOKE_BYTES = 5 * 1024 * 1024;

function clientConfig(outputs: StackOutputs) {
  return { ...awsClientOptions(), region: outputs.region || process.env.AWS_REGION };
}

function requireDate(value: string | undefined, usage: string): string {
  if (value === undefined) throw usageError(`--date is required (usage: ${usage})`);
  return checkReportDate(value);
}

function reportKey(date: string): string {
  return `${reportKeyPrefix(date)}/response.md`;
}

/**
 * Splits events into invocations of at most EVENTS_PER_INVOKE events and MAX_INVOKE_BYTES,
 * with the same greedy splitter the ingestion function uses for PutRecordBatch.
 */
export function invocationBatches(events: unknown[]): { start: number; events: unknown[] }[] {
  const encoded = events.map((event, index) => encodeRecord(index, event));
  return [...batches(encoded, EVENTS_PER_INVOKE, MAX_INVOKE_BYTES)].map((batch) => ({
    start: batch[0].index,
    events: batch.map((record) => events[record.index]),
  }));
}

export async function sendCommand(argv: string[], io: Io, options: CloudOptions = {}): Promise<number> {
  const values = parseFlags(
    argv,
    { ...STAGE, sample: { type: 'boolean' }, events: { type: 'string' }, date: { type: 'string' } },
    SEND_USAGE,
  );
  if (Boolean(values.sample) === (values.events !== undefined))
    throw usageError(`use --sample or --events FILE (usage: ${SEND_USAGE})`);
  const date = values.date ?? (options.now?.() ?? new Date()).toISOString().slice(0, 10);
  checkReportDate(date);
  // The blog's payloads as they are (the Lambda stamps them); with --date, dated on that day.
  const samples = values.date === undefined ? [...SEED_SAMPLES] : samplesOn(date);
  const events = values.sample ? samples : await readEventsFile(values.events!);
  if (events.length === 0) throw new CliError('no events to send');

  const outputs = loadOutputs({ stage: values.stage }, ['ingest_function_name']);
  const lambda = new LambdaClient(clientConfig(outputs));
  const totals = { accepted: 0, rejected: 0, failed: 0 };
  const reasons = new Map<string, number>();
  for (const batch of invocationBatches(events)) {
    let response: IngestResponse | undefined;
    let failure: string | undefined;
    try {
      const result = await lambda.send(
        new InvokeCommand({
          FunctionName: outputs.ingest_function_name,
          Payload: Buffer.from(JSON.stringify(batch.events)),
        }),
      );
      const text = Buffer.from(result.Payload ?? new Uint8Array()).toString('utf8');
      if (result.FunctionError) failure = `function error: ${text.slice(0, 200)}`;
      else response = JSON.parse(text) as IngestResponse;
    } catch (error) {
      failure = describeError(error);
    }
    if (!response || typeof response.accepted !== 'number') {
      totals.failed += batch.events.length;
      reasons.set(
        failure ?? 'unexpected answer',
        (reasons.get(failure ?? 'unexpected answer') ?? 0) + batch.events.length,
      );
      continue;
    }
    totals.accepted += response.accepted;
    totals.rejected += response.rejected.length;
    totals.failed += response.failed.length;
    for (const r of response.rejected) for (const e of r.errors) reasons.set(e, (reasons.get(e) ?? 0) + 1);
    for (const f of response.failed)
      reasons.set(`not delivered: ${f.error}`, (reasons.get(`not delivered: ${f.error}`) ?? 0) + 1);
    if (response.error) reasons.set(response.error, (reasons.get(response.error) ?? 0) + batch.events.length);
  }
  io.out(
    `sent ${events.length} events to ${outputs.ingest_function_name}: ${totals.accepted} accepted, ${totals.rejected} rejected, ${totals.failed} failed`,
  );
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10)) io.out(`  ×${count}: ${reason}`);
  return totals.accepted === events.length ? 0 : 1;
}

async function fetchReport(outputs: StackOutputs, date: string): Promise<string> {
  const s3 = new S3Client({ ...clientConfig(outputs), forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
  const key = reportKey(date);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: outputs.output_bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') {
      throw new CliError(`no report for ${date} at s3://${outputs.output_bucket}/${key}`, { cause: error });
    }
    throw new CliError(`cannot read s3://${outputs.output_bucket}/${key}: ${describeError(error)}`, { cause: error });
  }
}

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const values = parseFlags(argv, { ...STAGE, date: { type: 'string' } }, REPORT_USAGE);
  const date = requireDate(values.date, REPORT_USAGE);
  const outputs = loadOutputs({ stage: values.stage }, ['output_bucket']);
  io.out((await fetchReport(outputs, date)).trimEnd());
  return 0;
}

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

/** Starts one report execution; its name carries the date, so the console lists runs by day. */
async function startReport(sfn: SFNClient, outputs: StackOutputs, date: string, now: Date): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: outputs.state_machine_arn,
      name: `report-${date}-${now.getTime()}`,
      input: JSON.stringify({ InputDate: date }),
    }),
  );
  if (!executionArn) throw new CliError(`StartExecution for ${date} returned no execution ARN`);
  return executionArn;
}

interface Outcome {
  status: string;
  error?: string;
  cause?: string;
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
      return { status: execution.status, error: execution.error, cause: execution.cause };
    }
    await sleep(pollMs);
  }
}

/** Every date from `from` to `to`, inclusive. */
export function dateRange(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const MAX_BACKFILL_DAYS = 366;

export async function runCommand(argv: string[], io: Io, options: CloudOptions = {}): Promise<number> {
  const values = parseFlags(
    argv,
    {
      ...STAGE,
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      concurrency: { type: 'string' },
      'no-wait': { type: 'boolean' },
    },
    RUN_USAGE,
  );
  const range = values.from !== undefined || values.to !== undefined;
  if (range && values.date !== undefined) throw usageError(`use --date or --from/--to, not both (usage: ${RUN_USAGE})`);
  const now = options.now?.() ?? new Date();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = (options.pollSeconds ?? 5) * 1000;

  if (!range) {
    const date = requireDate(values.date, RUN_USAGE);
    const outputs = loadOutputs({ stage: values.stage }, ['state_machine_arn', 'output_bucket']);
    const sfn = new SFNClient(clientConfig(outputs));
    const executionArn = await startReport(sfn, outputs, date, now);
    io.out(`started ${executionArn}`);
    if (values['no-wait']) return 0;
    const outcome = await waitForExecution(sfn, executionArn, sleep, pollMs, (event) => {
      const line = describeEvent(event);
      if (line) io.out(line);
    });
    if (outcome.status !== 'SUCCEEDED') {
      throw new CliError(
        `execution ${outcome.status}: ${outcome.error ?? 'no error'}: ${outcome.cause ?? 'no cause given'}`,
      );
    }
    io.out(`execution SUCCEEDED; report s3://${outputs.output_bucket}/${reportKey(date)}`);
    io.out('');
    io.out((await fetchReport(outputs, date)).trimEnd());
    return 0;
  }

  const from = requireDate(values.from, RUN_USAGE);
  const to = requireDate(values.to, RUN_USAGE);
  if (from > to) throw usageError(`--from ${from} is after --to ${to}`);
  const days = dateRange(from, to);
  if (days.length > MAX_BACKFILL_DAYS)
    throw usageError(`a backfill covers at most ${MAX_BACKFILL_DAYS} days, got ${days.length}`);
  const concurrency = Number(values.concurrency ?? 2);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) {
    throw usageError(`--concurrency must be a whole number from 1 to 10, got "${values.concurrency}"`);
  }
  const outputs = loadOutputs({ stage: values.stage }, ['state_machine_arn', 'output_bucket']);
  const sfn = new SFNClient(clientConfig(outputs));
  io.out(`backfilling ${days.length} days from ${from} to ${to}, ${concurrency} at a time`);

  const results = new Map<string, Outcome>();
  let next = 0;
  const worker = async () => {
    while (next < days.length) {
      const date = days[next++];
      try {
        const arn = await startReport(sfn, outputs, date, now);
        const outcome = values['no-wait'] ? { status: 'STARTED' } : await waitForExecution(sfn, arn, sleep, pollMs);
        results.set(date, outcome);
        io.out(`${date} ${outcome.status}${outcome.error ? `: ${outcome.error}: ${outcome.cause ?? ''}` : ''}`);
      } catch (error) {
        results.set(date, {
          status: 'NOT_STARTED',
          error: (error as Error).name,
          cause: describeError(error),
        });
        io.out(`${date} NOT_STARTED: ${describeError(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, days.length) }, worker));

  const wanted = values['no-wait'] ? 'STARTED' : 'SUCCEEDED';
  const good = days.filter((d) => results.get(d)?.status === wanted);
  const bad = days.filter((d) => results.get(d)?.status !== wanted);
  io.out(
    `backfill: ${good.length} of ${days.length} days ${wanted.toLowerCase()}${
      bad.length ? `; not: ${bad.join(', ')}` : ''
    }`,
  );
  return bad.length === 0 ? 0 : 1;
}
