/**
 * The local run itself (local-pipeline.ts starts it): synthesize the stack, ingest into the local
 * Firehose, then run the report state machine and read back each day's report.
 */
import { plural } from '../../core/plural';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ingestEvents } from '../../functions/ingest/ingest';
import { handleRequest } from '../../functions/ingest/handle';
import { fromError, toHttp } from '../../functions/ingest/response';
import { REPORT_FILES } from '../../core/contracts';
import { reportKeyPrefix } from '../../core/report-date';
import { describeError, UserError } from '../../core/errors';
import type { EventChunk } from '../input/events-file';
import { LocalFirehose } from '../firehose/local-firehose';
import { SinkWriteError } from '../firehose/sink-files';
import { localEmrServerless, pollMsFor } from '../stepfunctions/local-emr';
import { MAX_DATES_PER_RUN } from '../../functions/plan-dates/plan';
import { runReportWorkflow, type WorkflowResult } from '../stepfunctions/report-workflow';
import { FolderInventory } from '../stepfunctions/folder-inventory';
import { CoalescingFirehose } from '../collector/coalescing-firehose';
import type { ClickPrivacy } from '../../core/privacy';
import { localPrivacy } from './pseudonym-key-file';
import { readSuppressionList } from './suppression-list';
import { describeExpired, expireRawFiles } from './raw-retention';
import { addToLedger, markLedgerRunning, readLedger, readLedgerFile, removeLedger, replaceLedger } from './ledger';
import { removeDrafts } from '../../report/atomic-file';
import { storedRows } from '../../report/engine';
import type { IngestionSettings } from './local-config';
import type {
  CollectorRequest,
  IngestionTotals,
  LocalRunOptions,
  LocalRunResult,
  Occurrences,
  ReportedDay,
} from './run-types';
import { type LocalStack, stackIngestionSettings, synthesizeLocalStack } from './synthesized-stack';
import { type ChunkReport, type IngestionWorker, namedPlaces } from '../input/ingestion-worker';

const FIRST_FEW = 3;

/** A reason with its byte counts and the like taken out, so that 2,000 oversize events are one kind. */
function reasonKind(reason: string): string {
  return reason.replace(/(?<![\w.-])\d+(?![\w.-])/g, 'N');
}

function note(map: Map<string, Occurrences>, reason: string, where: string | undefined, n = 1): void {
  const entry = map.get(reason) ?? { count: 0, where: [] };
  entry.count += n;
  if (where !== undefined && entry.where.length < FIRST_FEW) entry.where.push(where);
  map.set(reason, entry);
}

/** Nothing was stored, and no date was asked for: there is no day to report. */
class NothingStoredError extends UserError {
  constructor() {
    super('no click was stored, so there is no day to report; name one with --date');
    this.name = 'NothingStoredError';
  }
}

/** Every event of a non-empty input was rejected: there is nothing to report. */
class NothingAcceptedError extends UserError {
  constructor(totals: IngestionTotals) {
    const [top] = [...totals.reasons].sort((a, b) => b[1].count - a[1].count);
    const most = top ? `; most often: ${top[0]} (×${top[1].count})` : '';
    super(`nothing was accepted: all ${totals.events} events were rejected${most}`);
    this.name = 'NothingAcceptedError';
  }
}

/** A run without --keep starts from empty buckets and ledger, so reports count its events only. */
async function resetBuckets(outDir: string, stack: LocalStack): Promise<void> {
  for (const bucket of [stack.delivery.rawBucket, stack.outputBucket, stack.logsBucket]) {
    await fs.rm(path.join(outDir, bucket), { recursive: true, force: true });
  }
  await removeLedger(outDir);
}

/**
 * Before a --keep run adds to a folder: the ledger is read first (a bad one stops the run before
 * it stores anything), and what a run that died there left is mended and named: its drafts are
 * removed, and a ledger it never finished counts what is stored.
 */
async function recoverKeptFolder(
  outDir: string,
  stack: LocalStack,
  notice: (line: string) => void = () => undefined,
): Promise<void> {
  const ledger = await readLedgerFile(outDir);
  const drafts = await removeDrafts(outDir);
  if (drafts > 0) notice(`removed ${plural(drafts, 'half-written file')} that an earlier run left in ${outDir}`);
  if (!ledger.interrupted) return;
  const stored = await storedRows(path.join(outDir, stack.delivery.rawBucket));
  const changed = [...new Set([...ledger.accepted.keys(), ...stored.keys()])]
    .sort()
    .filter((date) => (ledger.accepted.get(date) ?? 0) !== (stored.get(date) ?? 0))
    .map((date) => `${date}: ${ledger.accepted.get(date) ?? 0} → ${stored.get(date) ?? 0}`);
  await replaceLedger(outDir, stored);
  notice(
    `an earlier run into ${outDir} stopped before it recorded what it stored; the ledger now counts the stored clicks` +
      (changed.length > 0 ? ` (${changed.join(', ')})` : ' (it already did)'),
  );
}

/**
 * The collector's requests, each read, ingested and answered by the function's own code as it
 * arrives: concurrently, as Lambda would run them, through one coalescing sender so that their
 * disk writes are shared. Ends once the requests have ended and every one is answered.
 */
async function ingestRequests(
  requests: AsyncIterable<CollectorRequest>,
  stack: LocalStack,
  sink: LocalFirehose,
  count: (chunk: ChunkReport) => boolean,
  privacy: ClickPrivacy,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { streamName, maxClockSkewMs } = stackIngestionSettings(stack);
  const target = {
    firehose: new CoalescingFirehose(sink),
    streamName,
    maxClockSkewMs,
    allowedOrigins: stack.collector?.ingestOrigins,
    privacy,
  };
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  for await (const { event, respond } of requests) {
    signal?.throwIfAborted();
    // No Lambda here: nothing fails for want of time.
    const handling = handleRequest(event, target, { receivedAt: new Date(), deadline: Number.POSITIVE_INFINITY })
      .then((handled) => {
        respond(handled);
        const { summary } = handled;
        if (summary) count({ ...summary, unreadable: [], events: handled.events, where: [] });
      })
      .catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
        const response = fromError(500, 'the collector failed; the run stops');
        respond({ answer: toHttp(response), response, events: 0 });
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
    // A full disk takes no more: the requests still queued are answered by the collector.
    if (sink.fatal || failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}

/** The workflow's output: the dates it reported, and why. */
interface PlannedOutput {
  InputDates: string[];
  Reasons: Record<string, string>;
}

/** Executions that ran one after another, as one: the first that failed, or all of them succeeded. */
function combined(executions: readonly WorkflowResult[]): WorkflowResult {
  const failed = executions.find((e) => e.status !== 'SUCCEEDED');
  if (failed || executions.length === 1) return failed ?? executions[0];
  const outputs = executions.map(
    (e) => (e as Extract<WorkflowResult, { status: 'SUCCEEDED' }>).output as PlannedOutput,
  );
  const output: PlannedOutput = {
    InputDates: [...new Set(outputs.flatMap((o) => o.InputDates))].sort(),
    Reasons: Object.assign({}, ...outputs.map((o) => o.Reasons)) as Record<string, string>,
  };
  return { status: 'SUCCEEDED', output, executionName: executions.map((e) => e.executionName).join(', ') };
}

/** Reads back each reported day's files, with the figures that reconcile it. */
async function readReports(outDir: string, stack: LocalStack, output: PlannedOutput): Promise<ReportedDay[]> {
  const ledger = await readLedger(outDir);
  return Promise.all(
    output.InputDates.map(async (date) => {
      const dir = path.join(outDir, stack.outputBucket, ...reportKeyPrefix(date).split('/'));
      const file = path.join(dir, REPORT_FILES.markdown);
      const json = JSON.parse(await fs.readFile(path.join(dir, REPORT_FILES.json), 'utf8')) as {
        total: number;
        duplicates: number;
        read: { rows: number };
      };
      return {
        date,
        reason: output.Reasons[date],
        markdown: await fs.readFile(file, 'utf8'),
        path: file,
        figures: {
          date,
          accepted: ledger.get(date) ?? 0,
          stored: json.read.rows,
          counted: json.total,
          duplicates: json.duplicates,
        },
      };
    }),
  );
}

/** An events file's ingestion, started before the stack was synthesized, and the settings it was given. */
interface StartedIngestion {
  readonly worker: IngestionWorker;
  readonly settings: IngestionSettings;
}

/** The stack and the config it is built from cannot disagree; if they ever do, nothing is ingested. */
function checkSettings(synthesized: IngestionSettings, settings: IngestionSettings): void {
  if (
    synthesized.streamName !== settings.streamName ||
    synthesized.maxClockSkewMs !== settings.maxClockSkewMs ||
    synthesized.privacy.clientIp !== settings.privacy.clientIp ||
    synthesized.privacy.user !== settings.privacy.user
  ) {
    throw new Error(
      `the synthesized stack's ingestion settings ${JSON.stringify(synthesized)} differ from its config's ${JSON.stringify(settings)}`,
    );
  }
}

export async function runPipeline(
  options: LocalRunOptions,
  ingestion: StartedIngestion | undefined,
): Promise<LocalRunResult> {
  const stack = synthesizeLocalStack(options.stackContext);
  const synthesized = stackIngestionSettings(stack);
  const { streamName, maxClockSkewMs } = synthesized;
  if (ingestion) checkSettings(synthesized, ingestion.settings);
  if (options.keep) await recoverKeptFolder(options.outDir, stack, options.onNotice);
  else await resetBuckets(options.outDir, stack);
  const privacy = await localPrivacy(synthesized.privacy, options.outDir, await readSuppressionList(options.outDir));
  await markLedgerRunning(options.outDir);
  if (options.keep) {
    // After the mark: a run killed while it removes them is found out, and the ledger recounted.
    const expired = await expireRawFiles(options.outDir, stack.delivery.rawBucket, stack.rawRetentionDays, new Date());
    if (expired.files > 0) options.onNotice?.(describeExpired(expired, stack.rawRetentionDays));
  }
  const prepared = await options.prepare?.(stack);
  options.onReady?.(stack);

  const { signal } = options;
  const sink = new LocalFirehose(stack.delivery, options.outDir, undefined, options.sinkFiles, signal);
  const totals: IngestionTotals = {
    events: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    suppressed: 0,
    reasons: new Map(),
    failures: new Map(),
  };
  /** Adds one chunk's outcome to the totals; true when the run must stop reading (a full disk). */
  const count = (chunk: ChunkReport): boolean => {
    for (const { where, reason } of chunk.unreadable) note(totals.reasons, reason, where);
    totals.events += chunk.unreadable.length + chunk.events;
    totals.rejected += chunk.unreadable.length + chunk.rejected.length;
    totals.accepted += chunk.accepted;
    totals.failed += chunk.failed.length;
    totals.suppressed += chunk.suppressed;
    for (const { index, errors } of chunk.rejected) {
      for (const reason of errors) note(totals.reasons, reasonKind(reason), chunk.where[index]);
    }
    for (const { index, error } of chunk.failed) note(totals.failures, error, chunk.where[index]);
    options.onProgress?.(totals.events);
    // A full disk takes no more: stop reading rather than fail every event that follows.
    return sink.fatal !== undefined;
  };
  try {
    const { events } = options;
    if ('file' in events) {
      if (!ingestion) throw new Error('an events file is ingested by the worker local-pipeline.ts starts');
      await ingestion.worker.ingest(sink, count, signal);
    } else if ('requests' in events) {
      await ingestRequests(events.requests, stack, sink, count, privacy, signal);
    } else {
      for await (const item of events) {
        signal?.throwIfAborted();
        const chunk: EventChunk = Array.isArray(item)
          ? { events: item, places: [], unit: 'index', unreadable: [] }
          : item;
        const summary = await ingestEvents(chunk.events, {
          firehose: sink,
          streamName,
          receivedAt: options.receivedAt ?? new Date(),
          maxClockSkewMs,
          privacy,
          // No Lambda here: nothing fails for want of time.
          deadline: Number.POSITIVE_INFINITY,
        });
        const { unreadable } = chunk;
        if (count({ ...summary, unreadable, events: chunk.events.length, where: namedPlaces(chunk, summary) })) break;
      }
    }
  } catch (error) {
    // The run fails with its own error (or is interrupted): nothing more is written, and the
    // ledger counts the files already committed, so a later --keep run still reconciles.
    await sink.abandon();
    await addToLedger(options.outDir, sink.stats.deliveredByPartition);
    signal?.throwIfAborted();
    throw error;
  }
  if (sink.fatal) {
    // Acknowledged rows still in the buffer cannot be written either.
    await sink.abandon();
    const unwritten = sink.bufferedRows;
    await addToLedger(options.outDir, sink.stats.deliveredByPartition);
    totals.accepted -= unwritten;
    totals.failed += unwritten;
    if (unwritten > 0) note(totals.failures, describeError(sink.fatal), undefined, unwritten);
    return { stack, ingestion: totals, sink: sink.stats, stopped: sink.fatal };
  }
  try {
    await sink.close();
  } catch (error) {
    if (!(error instanceof SinkWriteError)) {
      await addToLedger(options.outDir, sink.stats.deliveredByPartition);
      signal?.throwIfAborted();
      throw error;
    }
    // Acknowledged but never written: failed, as Firehose would report them after its retries.
    totals.accepted -= error.records;
    totals.failed += error.records;
    note(totals.failures, error.reason, undefined, error.records);
  }
  await addToLedger(options.outDir, sink.stats.deliveredByPartition);
  signal?.throwIfAborted();
  if (sink.fatal) return { stack, ingestion: totals, sink: sink.stats, stopped: sink.fatal };
  if (totals.events > 0 && totals.accepted === 0 && totals.failed === 0) {
    return { stack, ingestion: totals, sink: sink.stats, stopped: new NothingAcceptedError(totals) };
  }
  const dates = options.dates ?? prepared ?? [...sink.stats.deliveredByPartition.keys()].sort();
  if (dates.length === 0) return { stack, ingestion: totals, sink: sink.stats, stopped: new NothingStoredError() };

  await options.beforeReport?.(stack);
  signal?.throwIfAborted();
  options.onIngested?.();
  const engine = options.engine ?? 'duckdb';
  const emr = localEmrServerless(stack, {
    outDir: options.outDir,
    engine,
    onJobState: options.onJobState,
    onEngineOutput: options.onEngineOutput,
  });
  const inventory = new FolderInventory(
    path.join(options.outDir, stack.delivery.rawBucket),
    path.join(options.outDir, stack.outputBucket),
  );
  // One execution reports at most MAX_DATES_PER_RUN dates (its input's limit): a file of more
  // dates is reported in as many executions, one after another.
  const executions: WorkflowResult[] = [];
  for (let i = 0; i < dates.length; i += MAX_DATES_PER_RUN) {
    const execution = await runReportWorkflow({
      stack,
      emr,
      input: { InputDates: dates.slice(i, i + MAX_DATES_PER_RUN) },
      inventory,
      onState: options.onState,
      pollMs: pollMsFor(engine),
      signal,
    });
    executions.push(execution);
    if (execution.status !== 'SUCCEEDED') break;
  }
  const workflow = combined(executions);
  signal?.throwIfAborted();
  if (workflow.status !== 'SUCCEEDED') return { stack, ingestion: totals, sink: sink.stats, workflow };
  const reports = await readReports(options.outDir, stack, workflow.output as PlannedOutput);
  return { stack, ingestion: totals, sink: sink.stats, workflow, reports };
}
