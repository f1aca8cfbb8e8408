/** `clicklogger send`: invokes the deployed ingestion function with events, in batches. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { batches, encodeRecord } from '../functions/ingest/batches';
import type { IngestResponse } from '../functions/ingest/response';
import { describeError } from '../core/errors';
import { readEventsFile } from '../local/input/events-file';
import { samplesOn, SEED_SAMPLES } from '../local/input/samples';
import { clientConfig, type CloudOptions } from './cloud';
import { checkReportDate } from './dates';
import { CliError, usageError } from './errors';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import type { Io } from './io';
import { deployedStage } from './stage-access';
import { SEND_USAGE } from './usage';

/** Events per Lambda invocation; the function takes up to 6 MiB per request. */
const EVENTS_PER_INVOKE = 1_000;
const MAX_INVOKE_BYTES = 5 * 1024 * 1024;

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
  const values = parseFlags(argv, COMMAND_FLAGS.send, SEND_USAGE);
  if (Boolean(values.sample) === (values.events !== undefined))
    throw usageError(`use --sample or --events FILE (usage: ${SEND_USAGE})`);
  const date = values.date ?? (options.now?.() ?? new Date()).toISOString().slice(0, 10);
  checkReportDate(date);
  // The blog's payloads as they are (the Lambda stamps them); with --date, dated on that day.
  const samples = values.date === undefined ? [...SEED_SAMPLES] : samplesOn(date);
  const { events, unreadable } = values.sample
    ? { events: samples, unreadable: [] }
    : await readEventsFile(values.events!);
  if (events.length === 0 && unreadable.length === 0) throw new CliError('no events to send');

  const outputs = await deployedStage(values.stage, ['ingest_function_name']);
  const lambda = new LambdaClient(clientConfig(outputs));
  const clock = () => (options.now?.() ?? new Date()).getTime();
  const totals = { sent: 0, accepted: 0, rejected: 0, failed: 0 };
  const reasons = new Map<string, number>();
  const count = (reason: string, n: number) => reasons.set(reason, (reasons.get(reason) ?? 0) + n);
  // An entry that is not an event is rejected alone, as `local` rejects it; the rest are sent.
  for (const { where, reason } of unreadable) count(`${where}: ${reason}`, 1);
  let timedOutInARow = 0;
  let lastProgress = clock();
  for (const batch of events.length > 0 ? invocationBatches(events) : []) {
    const answer = await invoke(lambda, outputs.ingest_function_name, batch.events);
    totals.sent += batch.events.length;
    timedOutInARow = answer.timedOut ? timedOutInARow + 1 : 0;
    if ('failure' in answer) {
      totals.failed += batch.events.length;
      count(answer.failure, batch.events.length);
    } else {
      const { response } = answer;
      totals.accepted += response.accepted;
      totals.rejected += response.rejected.length;
      totals.failed += response.failed.length;
      for (const r of response.rejected) for (const e of r.errors) count(e, 1);
      for (const f of response.failed) count(`not delivered: ${f.error}`, 1);
      if (response.error) {
        // The request as a whole was refused (too large, say): none of its events was taken.
        totals.failed += batch.events.length;
        count(response.error, batch.events.length);
      }
    }
    if (timedOutInARow === MAX_TIMEOUTS_IN_A_ROW || totals.sent === events.length) break;
    if (io.tty) io.progress(`sent ${totals.sent} of ${events.length} events…`);
    else if (clock() - lastProgress >= PROGRESS_EVERY_MS) {
      io.err(`sent ${totals.sent} of ${events.length} events…`);
      lastProgress = clock();
    }
  }
  const all = events.length + unreadable.length;
  const of = totals.sent === all ? `${all}` : `${totals.sent} of ${all}`;
  const notRead = unreadable.length > 0 ? ` (${unreadable.length} could not be read)` : '';
  io.out(
    `sent ${of} events${notRead} to ${outputs.ingest_function_name}: ${totals.accepted} accepted, ${totals.rejected + unreadable.length} rejected, ${totals.failed} failed`,
  );
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10)) io.out(`  ×${n}: ${reason}`);
  if (totals.sent < events.length) {
    io.err(
      `clicklogger: stopped after ${MAX_TIMEOUTS_IN_A_ROW} batches in a row timed out; events ${totals.sent + 1} to ${events.length} were not sent`,
    );
  }
  return totals.accepted === all ? 0 : 1;
}

/** After this many invocations in a row time out, the endpoint is taken to be down. */
const MAX_TIMEOUTS_IN_A_ROW = 3;
/** How often a run whose output is not a terminal says how far it is. */
const PROGRESS_EVERY_MS = 5_000;

/** What the function must answer for a batch of `size` events: every event accounted for once. */
function answerSchema(size: number) {
  return z
    .object({
      statusCode: z.number().int(),
      accepted: z.number().int().nonnegative(),
      rejected: z.array(z.object({ index: z.number().int(), errors: z.array(z.string()) })),
      failed: z.array(z.object({ index: z.number().int(), error: z.string() })),
      suppressed: z.number().int().nonnegative().optional(),
      error: z.string().optional(),
    })
    .refine(
      (a) =>
        a.accepted + a.rejected.length + a.failed.length + (a.suppressed ?? 0) === (a.error === undefined ? size : 0),
      { message: `accepted, rejected, failed and suppressed do not add up to the ${size} events sent` },
    );
}

type Answer = { timedOut: boolean } & ({ response: IngestResponse } | { failure: string });

/** One invocation's answer, checked, or why there is none. */
async function invoke(lambda: LambdaClient, functionName: string, events: unknown[]): Promise<Answer> {
  let text: string;
  try {
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(events)) }),
    );
    text = Buffer.from(result.Payload ?? new Uint8Array()).toString('utf8');
    if (result.FunctionError) return { timedOut: false, failure: `function error: ${text.slice(0, 200)}` };
  } catch (error) {
    return { timedOut: (error as Error).name === 'TimeoutError', failure: describeError(error) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { timedOut: false, failure: `unexpected answer from the function: not JSON (${text.slice(0, 80)})` };
  }
  const checked = answerSchema(events.length).safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { timedOut: false, failure: `unexpected answer from the function: ${issue.message}${where}` };
  }
  return { timedOut: false, response: checked.data };
}
