/**
 * A local run as the CLI runs it (`local`, `serve`): the output folder's lock, the stop signals,
 * and what the run prints: ingestion, the state machine, the reconciliation line and each report.
 */
import { plural } from '../core/plural';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPORT_FILES } from '../core/contracts';
import { nextDate } from '../core/report-date';
import type { EngineName } from '../local/emr/engine-names';
import { lockOutput, type OutputLock } from '../local/run/output-lock';
import {
  type IngestionTotals,
  type LocalRunOptions,
  type Occurrences,
  runLocalPipeline,
} from '../local/run/local-pipeline';
import type { SinkStats } from '../local/firehose/sink-files';
import { removeDrafts } from '../report/atomic-file';
import { CliError } from './errors';
import type { Io } from './io';
import { progress } from './progress';
import { describeStates } from './states';
import { ASKED_FOR } from '../functions/plan-dates/plan';
import { reconcile } from '../local/run/reconciliation';

/** `×2000: reason (line 3, line 7, line 9 and 1997 more)` */
function summarize(kind: string, reason: string, { count, where }: Occurrences): string {
  const more = count - where.length;
  const places = where.length === 0 ? '' : ` (${where.join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
  return `  ${kind} ×${count}: ${reason}${places}`;
}

/** Runs the pipeline under the output folder's lock, and prints it; a stop signal ends it cleanly. */
export async function runLocked(request: RunRequest, io: Io): Promise<number> {
  // A signal stops the run: its writers (and a Spark job's whole process tree) are stopped and
  // waited for before half-written files are removed and the lock is released. The handlers come
  // first, so that no signal can fall between taking the lock and being ready to give it back.
  const { outDir, engine } = request;
  const stop = new AbortController();
  let signals = 0;
  const interrupt = (signal: NodeJS.Signals) => {
    if (signals++ === 0 && request.onFirstSignal) request.onFirstSignal(signal);
    else stop.abort(new Interrupted(signal));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, interrupt);
  let lock: OutputLock;
  try {
    lock = await lockOutput(outDir, (line) => io.err(`clicklogger: ${line}`));
  } catch (error) {
    for (const signal of STOP_SIGNALS) process.off(signal, interrupt);
    throw error;
  }
  try {
    stop.signal.throwIfAborted();
    return await runAndPrint(request, io, stop.signal);
  } catch (error) {
    if (!(stop.signal.reason instanceof Interrupted)) throw error;
    await removeDrafts(outDir);
    const { signal } = stop.signal.reason;
    io.err(`clicklogger: interrupted by ${signal}; ${await leftBehind(outDir, engine)}`);
    return 128 + os.constants.signals[signal];
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, interrupt);
    await lock.release();
  }
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

/** What an interrupted run leaves in `outDir`, in a few words. */
async function leftBehind(outDir: string, engine: EngineName): Promise<string> {
  const files = (await fs.readdir(outDir, { recursive: true }).catch(() => [])).map(String);
  const parquet = files.filter((f) => f.endsWith('.parquet')).length;
  const reports = files.filter((f) => path.basename(f) === REPORT_FILES.markdown).length;
  const stopped = engine === 'spark' ? 'the Spark job was stopped; ' : '';
  return (
    `${stopped}${outDir} holds a partial run: ${plural(parquet, 'Parquet file')}, ` +
    `${reports === 0 ? 'no report' : `${plural(reports, 'report')} from before`}, no half-written files`
  );
}

export interface RunRequest {
  /** The command, as the first line names it. Default: local. */
  readonly command?: string;
  /** The dates to report; undefined: every date with clicks in the events. */
  readonly dates?: readonly string[];
  readonly events: LocalRunOptions['events'];
  /** Known for generated and sample events; a file is read as it goes. */
  readonly total?: number;
  readonly source: string;
  readonly receivedAt?: Date;
  readonly outDir: string;
  readonly keep: boolean;
  readonly engine: EngineName;
  readonly verbose: boolean;
  readonly stackContext?: LocalRunOptions['stackContext'];
  readonly onReady?: LocalRunOptions['onReady'];
  readonly prepare?: LocalRunOptions['prepare'];
  /** What the first stop signal does instead of stopping the run (`serve` stops taking requests); a second one stops it. */
  readonly onFirstSignal?: (signal: NodeJS.Signals) => void;
}

/** `2023-02-08`; `2023-02-07 to 2023-02-10 (4 days)` when the days follow one another; else a list. */
export function daysOf(dates: readonly string[]): string {
  if (dates.length === 1) return dates[0];
  const consecutive = dates.every((date, i) => i === 0 || nextDate(dates[i - 1]) === date);
  if (consecutive) return `${dates[0]} to ${dates.at(-1)} (${dates.length} days)`;
  return dates.length <= 4 ? dates.join(', ') : `${dates.length} days between ${dates[0]} and ${dates.at(-1)}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The ingestion and Firehose lines of a run. */
function printIngestion(ingestion: IngestionTotals, sink: SinkStats, io: Io): void {
  io.out(
    `ingested: ${ingestion.accepted} accepted, ${ingestion.rejected} rejected, ${ingestion.failed} failed` +
      `${ingestion.suppressed > 0 ? `, ${ingestion.suppressed} suppressed` : ''} (of ${ingestion.events})`,
  );
  const byCount = (map: Map<string, Occurrences>) => [...map].sort((a, b) => b[1].count - a[1].count);
  for (const [reason, seen] of byCount(ingestion.reasons)) io.out(summarize('rejected', reason, seen));
  for (const [reason, seen] of byCount(ingestion.failures)) io.out(summarize('failed', reason, seen));
  io.out(
    `firehose: ${plural(sink.records, 'click')} in ${plural(sink.putRecords, 'record')}; ` +
      `${sink.delivered} converted to Parquet, ${sink.errors} sent to the error prefix`,
  );
}

async function runAndPrint(request: RunRequest, io: Io, signal: AbortSignal): Promise<number> {
  const { dates, events, total, source, receivedAt, outDir, keep, engine, verbose } = request;
  const reporting = dates
    ? `report date ${daysOf(dates)}`
    : request.prepare
      ? 'reporting the days it changes'
      : 'reporting every date it holds';
  const kept = keep ? ', keeping what earlier runs left there' : '';
  io.out(`clicklogger ${request.command ?? 'local'}: ${source}, ${reporting}, output in ${outDir}${kept}`);
  const started = Date.now();
  let reportStarted = started;
  const states: string[] = [];
  const jobStates: string[] = [];
  // serve runs until stopped: a line every few seconds while it waits for clicks would fill its log.
  const shown = progress(io, request.command === 'serve' ? undefined : io.pipedProgressEveryMs);
  let ingested = 0;
  const ingesting = () =>
    `ingesting: ${ingested.toLocaleString('en-US')}${total === undefined ? '' : ` of ${total.toLocaleString('en-US')}`} events`;
  shown.show(ingesting());
  const result = await runLocalPipeline({
    dates,
    events,
    prepare: request.prepare,
    outDir,
    keep,
    engine,
    receivedAt,
    onProgress: (n) => {
      ingested = n;
      shown.show(ingesting());
    },
    onNotice: (line) => io.err(`clicklogger: ${line}`),
    onIngested: () => {
      reportStarted = Date.now();
      shown.show('reporting: the state machine started');
      if (verbose) {
        const peak = Math.round(process.resourceUsage().maxRSS / 1024);
        io.err(`ingestion: done in ${seconds(reportStarted - started)}, peak RSS so far ${peak} MiB`);
      }
    },
    onState: (state, detail) => {
      states.push(detail ? `${state}(${detail})` : state);
      shown.show(`reporting: ${state}`);
    },
    onJobState: (state) => {
      jobStates.push(state);
      shown.show(`reporting: the ${engine} report job is ${state}`);
    },
    onEngineOutput: verbose ? (line) => io.err(line) : undefined,
    stackContext: request.stackContext,
    onReady: request.onReady,
    signal,
  }).finally(() => shown.stop());

  const { ingestion, sink, workflow } = result;
  // A run that only changes the folder (erase) ingests nothing: no ingestion lines.
  if (!request.prepare) printIngestion(ingestion, sink, io);
  if (result.stopped && 'requests' in events && ingestion.events === 0) {
    io.out('no clicks arrived, so there is no day to report');
    return 0;
  }
  if (result.stopped) {
    const read = `the run stopped after ${ingestion.events} events, and made no report`;
    throw new CliError(`${result.stopped.message}; ${read}`, { cause: result.stopped });
  }
  if (!workflow) throw new Error('the pipeline neither stopped nor ran the report');
  io.out(`state machine: ${describeStates(states.filter((s) => s !== 'GetJobStatus'))}`);
  io.out(`report job (${engine}): ${jobStates.join(' → ')}`);
  if (workflow.status !== 'SUCCEEDED') {
    throw new CliError(`report workflow failed: ${workflow.error}: ${workflow.cause}`);
  }
  io.out(`report workflow: SUCCEEDED (${workflow.executionName}) in ${seconds(Date.now() - reportStarted)}`);
  const reports = result.reports!;
  const asked = reports.filter((r) => r.reason === ASKED_FOR).map((r) => r.date);
  if (asked.length > 0) io.out(`reported ${daysOf(asked)}`);
  for (const { date, reason } of reports) if (reason !== ASKED_FOR) io.out(`also reported ${date}: ${reason}`);
  // Clicks of erased people were never stored: said beside the figures they are not part of.
  const suppressed =
    ingestion.suppressed > 0 ? `; ${ingestion.suppressed} suppressed (erased people's, not stored)` : '';
  io.out(`${reconcile(reports.map((r) => r.figures))}${suppressed}`);
  // Clicks this run stored under days it did not report (events without a createdtime are dated
  // when they arrive, not on --date): say where they went.
  const reported = new Set(reports.map((r) => r.date));
  const elsewhere = [...sink.deliveredByPartition].filter(([date]) => !reported.has(date)).sort();
  if (elsewhere.length > 0) {
    const where = elsewhere.map(([date, n]) => `${date} (${n})`).join(', ');
    const clicks = elsewhere.reduce((n, [, count]) => n + count, 0);
    io.out(
      `not reported: ${plural(clicks, 'click')} stored under ${where}; events without a createdtime are dated when they arrive: report with --date ${elsewhere[0][0]}`,
    );
  }
  const incomplete = ingestion.failed > 0;
  for (const [i, report] of reports.entries()) {
    if (i > 0) io.out('');
    io.out(
      incomplete
        ? `report (INCOMPLETE: ${ingestion.failed} valid events failed delivery and are not counted): ${report.path}`
        : `report: ${report.path}`,
    );
    io.out('');
    io.out(report.markdown.trimEnd());
  }
  nextSteps(io, reports, outDir);
  if (incomplete)
    io.err(`clicklogger: ${ingestion.failed} valid events failed delivery; the report above is incomplete`);
  return incomplete ? 1 : 0;
}

/** Where the reports are, and what a newcomer may do next. */
function nextSteps(io: Io, reports: readonly { date: string; path: string }[], outDir: string): void {
  const last = reports.at(-1);
  if (last === undefined) return;
  const page = path.join(path.dirname(last.path), REPORT_FILES.html);
  const more = reports.length > 1 ? ` (the last of ${reports.length} days reported; each has a folder of its own)` : '';
  io.out('');
  io.out(`written: ${last.path} and ${page}${more}`);
  io.out(
    `next: open ${REPORT_FILES.html} in a browser; \`npx clicklogger report --out ${outDir} --date ${last.date}\` prints the day again; docs/deploy.md runs the pipeline on AWS`,
  );
}
