/** `clicklogger local`: the whole pipeline on this machine. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { checkReportDate } from './dates';
import { type EventChunk, readEvents, STDIN } from '../local/input/events-file';
import { type EngineName, ENGINES, isEngineName } from '../local/emr/engine-names';
import { runLocked } from './local-run';
import { sparkRuntimeProblem } from '../local/emr/spark-job';
import { generateClicks, SEED_SAMPLES } from '../local/input/samples';
import { CliError, usageError } from './errors';
import type { Io } from './io';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import { LOCAL_USAGE } from './usage';

const REQUEST_SIZE = 1_000;

/**
 * Opens an events file: its first chunk is read now, so that an empty or broken file fails
 * before the run starts. A regular file is then read again by the ingestion worker, beside the
 * sink; a pipe, a FIFO or standard input can be read only once, so it is read here.
 */
async function openEvents(file: string): Promise<AsyncIterable<EventChunk> | { file: string; requestSize: number }> {
  const reader = readEvents(file, REQUEST_SIZE);
  const first = await reader.next();
  if (file !== STDIN && (await fs.stat(file)).isFile()) {
    await reader.return(undefined);
    return { file, requestSize: REQUEST_SIZE };
  }
  return (async function* () {
    if (!first.done) yield first.value;
    yield* reader;
  })();
}

/** --engine: duckdb (the default) or spark, which must be able to run here. */
export function engineFlag(value: string | undefined): EngineName {
  const engine = value ?? 'duckdb';
  if (!isEngineName(engine)) throw usageError(`--engine must be one of ${ENGINES.join(', ')}, got "${engine}"`);
  if (engine === 'spark') {
    const problem = sparkRuntimeProblem();
    if (problem) throw new CliError(problem);
  }
  return engine;
}

export async function localCommand(argv: string[], io: Io, now: Date = new Date()): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.local, LOCAL_USAGE);
  if (values.events !== undefined && values.generate !== undefined)
    throw usageError('use --events or --generate, not both');
  const date = checkReportDate(values.date ?? now.toISOString().slice(0, 10));
  // An events file without --date reports every date it holds clicks for.
  const dates = values.events !== undefined && values.date === undefined ? undefined : [date];
  if (values.out === '') throw usageError('--out must name a folder, got ""');
  let generate: number | undefined;
  if (values.generate !== undefined) {
    generate = Number(values.generate);
    if (!/^\d+$/.test(values.generate) || generate < 1 || generate > 100_000_000) {
      throw usageError(`--generate must be a whole number from 1 to 100000000, got "${values.generate}"`);
    }
  }
  const outDir = path.resolve(values.out ?? '.clicklogger');
  const engine = engineFlag(values.engine);

  let events: Iterable<unknown[]> | AsyncIterable<EventChunk> | { file: string; requestSize: number };
  let total: number | undefined;
  let source: string;
  let receivedAt: Date | undefined;
  if (values.events !== undefined) {
    events = await openEvents(values.events);
    source = values.events;
  } else if (generate !== undefined) {
    events = generateClicks(date, generate, REQUEST_SIZE);
    total = generate;
    source = `${generate} generated clicks`;
    // A day of clicks, received as it happened: none is ahead of its receipt.
    receivedAt = new Date(`${date}T23:59:59.999Z`);
  } else {
    events = [[...SEED_SAMPLES]];
    total = SEED_SAMPLES.length;
    source = `the seed's ${total} sample clicks`;
    // They carry no createdtime: ingestion stamps them with this time of day, on the report date.
    receivedAt = new Date(`${date}T${now.toISOString().slice(11)}`);
  }

  return runLocked(
    {
      dates,
      events,
      total,
      source,
      receivedAt,
      outDir,
      keep: values.keep === true,
      engine,
      verbose: values.verbose === true,
    },
    io,
  );
}
