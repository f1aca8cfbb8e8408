/** `clicklogger send`: invokes the deployed ingestion function with events, in batches. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { batches, encodeRecord } from '../functions/ingest/batches';
import type { IngestResponse } from '../functions/ingest/response';
import { describeError } from '../functions/shared/errors';
import { readEventsFile } from '../local/events-file';
import { samplesOn, SEED_SAMPLES } from '../local/samples';
import { clientConfig, type CloudOptions, STAGE } from './cloud';
import { checkReportDate } from './dates';
import { CliError, usageError } from './errors';
import { parseFlags } from './flags';
import type { Io } from './io';
import { loadOutputs } from './stack-outputs';
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
