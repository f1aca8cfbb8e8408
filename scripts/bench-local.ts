/**
 * The local run's sections of the benchmark: `clicklogger local --events` against the floor of
 * reading the same file, its fixed cost, and the run end to end.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateClicks } from '../local/input/samples';
import { CACHE, cliEnv, DATE, fmt, log, median, medianOf, ROOT, rows, run, seconds } from './bench-common';

/**
 * How a generated events file is laid out: JSON Lines of one day, the same as one JSON array, or
 * JSON Lines of two days, sorted (blocks of 10,000) or alternating click by click.
 */
type EventsShape = 'lines' | 'array' | 'two-days-sorted' | 'two-days-interleaved';

/** A file of about `mb` MB of generated clicks, cached; returns it and its event count. */
async function ensureEventsFile(mb: number, shape: EventsShape = 'lines'): Promise<{ file: string; events: number }> {
  const file = path.join(
    CACHE,
    `events-${mb}MB${shape === 'lines' ? '' : `-${shape}`}.${shape === 'array' ? 'json' : 'jsonl'}`,
  );
  const countFile = `${file}.count`;
  if (fs.existsSync(countFile)) return { file, events: Number(fs.readFileSync(countFile, 'utf8')) };
  log(`writing a ${mb} MB ${shape} events file in ${file} (once)`);
  const out = fs.createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    return Buffer.byteLength(text);
  };
  const nextDay = '2023-02-09';
  let bytes = shape === 'array' ? await write('[\n') : 0;
  let events = 0;
  for (const chunk of generateClicks(DATE, Number.MAX_SAFE_INTEGER, 10_000)) {
    const lines = chunk.map((c, i) => {
      const moved =
        shape === 'two-days-interleaved' ? i % 2 === 1 : shape === 'two-days-sorted' && events % 20_000 >= 10_000;
      return JSON.stringify(moved ? { ...c, createdtime: nextDay + c.createdtime.slice(10) } : c);
    });
    bytes += await write(
      shape === 'array' ? `${events > 0 ? ',\n' : ''}${lines.join(',\n')}` : `${lines.join('\n')}\n`,
    );
    events += chunk.length;
    if (bytes >= mb * 1_000_000) break;
  }
  if (shape === 'array') await write('\n]\n');
  await new Promise<void>((resolve) => out.end(() => resolve()));
  fs.writeFileSync(countFile, String(events));
  return { file, events };
}

/**
 * `clicklogger local --verbose` in a fresh process; returns its wall time, its peak RSS, the peak
 * RSS up to the end of ingestion (what --verbose says then), and its output.
 */
function cliWithPeakRss(
  args: string[],
  env = cliEnv(),
): { ms: number; peakMiB: number; ingestPeakMiB: number; stdout: string } {
  const wrapper = `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));
process.argv = [process.argv[0], ${JSON.stringify(path.join(ROOT, 'bin', 'clicklogger.js'))}, ...${JSON.stringify([...args, '--verbose'])}];
require(process.argv[1]);`;
  const start = performance.now();
  const result = spawnSync(process.execPath, ['-e', wrapper], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`clicklogger ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  const kib = Number(/maxrss (\d+)/.exec(result.stderr)?.[1]);
  const ingestPeakMiB = Number(/^ingestion: done in .*, peak RSS so far (\d+) MiB$/m.exec(result.stderr)?.[1]);
  return { ms, peakMiB: kib / 1024, ingestPeakMiB, stdout: result.stdout };
}

/** Runs `clicklogger local --events file` once, into a fresh folder, and checks every event was accepted. */
function localRun(file: string, events: number, what: string, env = cliEnv()) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-events-'));
  try {
    const run = cliWithPeakRss(['local', '--events', file, '--out', out], env);
    if (!run.stdout.includes(`ingested: ${events} accepted, 0 rejected, 0 failed (of ${events})`)) {
      throw new Error(`${what} did not ingest exactly ${events} events:\n${run.stdout.slice(0, 500)}`);
    }
    return run;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const peaks = (runs: { peakMiB: number; ingestPeakMiB: number }[]) =>
  `${median(runs.map((r) => r.ingestPeakMiB)).toFixed(0)} MiB during ingestion, ${median(runs.map((r) => r.peakMiB)).toFixed(0)} MiB in all`;

/** The floor: a fresh Node process that reads the file with readline and parses each line; its wall time. */
function readlineFloor(file: string, events: number): number {
  const script = `const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(${JSON.stringify(
    file,
  )}), crlfDelay: Infinity });
let n = 0;
rl.on('line', (line) => { if (line) { JSON.parse(line); n++; } });
rl.on('close', () => process.stdout.write(String(n)));`;
  const start = performance.now();
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (Number(result.stdout) !== events) throw new Error(`the floor read ${result.stdout} events, not ${events}`);
  return ms;
}

/**
 * The local run's fixed cost: a 1,000-event file, on a fresh clone's first run (no compile
 * caches, no cached synthesis) and on later runs.
 */
async function fixedCost(): Promise<void> {
  const { file: big } = await ensureEventsFile(150);
  const file = path.join(CACHE, 'events-1000.jsonl');
  const lines = fs.readFileSync(big, 'utf8').split('\n', 1000);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    cold.push(localRun(file, 1000, 'the 1,000-event file (first run)', cliEnv(true)).ms);
    warm.push(localRun(file, 1000, 'the 1,000-event file').ms);
  }
  rows.push({
    measure: '`clicklogger local --events`, 1,000 events: wall time of a later run (the fixed cost)',
    value: seconds(median(warm)),
    peer: `a fresh clone's first run (no compile caches, no cached synthesis): ${seconds(median(cold))}`,
    note: '5 runs each, alternately; the caches live in node_modules/.cache/clicklogger',
  });
}

export async function eventsFiles(): Promise<void> {
  await fixedCost();
  for (const mb of [150, 600]) {
    const { file, events } = await ensureEventsFile(mb);
    // Each run right after its floor, so that both see the machine as it is at that moment.
    const floors: number[] = [];
    const runs = [0, 1, 2, 3, 4].map(() => {
      floors.push(readlineFloor(file, events));
      return localRun(file, events, `the ${mb} MB file`);
    });
    const wall = median(runs.map((r) => r.ms));
    const floor = median(floors);
    rows.push({
      measure: `\`clicklogger local --events\`, ${mb} MB of JSON Lines (${fmt(events)} events, all counted): wall time; peak RSS`,
      value: `${seconds(wall)}; ${peaks(runs)}`,
      peer: `floor (readline + JSON.parse of the same file, fresh process): ${seconds(floor)} → ${(wall / floor).toFixed(1)}× the floor`,
      note: 'the whole run: synth, ingestion, Parquet by DuckDB every 64 MiB (as deployed), state machine, report; 5 runs, each after a floor run',
    });
  }
  // The same clicks as one JSON array, streamed, beside the JSON Lines run of the same size.
  const array = await ensureEventsFile(200, 'array');
  const lines = await ensureEventsFile(200);
  const arrayRuns = [0, 1, 2].map(() => localRun(array.file, array.events, 'the 200 MB array'));
  const lineRuns = [0, 1, 2].map(() => localRun(lines.file, lines.events, 'the 200 MB JSON Lines file'));
  rows.push({
    measure: `\`clicklogger local --events\`, a 200 MB JSON array (${fmt(array.events)} events, all counted): wall time; peak RSS`,
    value: `${seconds(median(arrayRuns.map((r) => r.ms)))}; ${peaks(arrayRuns)}`,
    peer: `the same clicks as JSON Lines: ${seconds(median(lineRuns.map((r) => r.ms)))}; ${peaks(lineRuns)}`,
    note: '3 runs each; the array is cut at its own commas and each element parsed alone',
  });
  // Two days in one file: sorted in blocks, or alternating click by click (backfills, late clicks).
  const sorted = await ensureEventsFile(88, 'two-days-sorted');
  const interleaved = await ensureEventsFile(88, 'two-days-interleaved');
  const sortedRuns: number[] = [];
  const interleavedRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    sortedRuns.push(localRun(sorted.file, sorted.events, 'the sorted two-day file').ms);
    interleavedRuns.push(localRun(interleaved.file, interleaved.events, 'the interleaved two-day file').ms);
  }
  const [s, n] = [median(sortedRuns), median(interleavedRuns)];
  rows.push({
    measure: `\`clicklogger local --events\`, ${fmt(interleaved.events)} clicks of two days alternating click by click: wall time`,
    value: seconds(n),
    peer: `the same clicks sorted by date (blocks of 10,000): ${seconds(s)} → ${(n / s).toFixed(2)}× the sorted time`,
    note: '3 runs each, alternately',
  });
}

export async function localEndToEnd(): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-local-'));
  const ms = await medianOf(3, () =>
    run(
      process.execPath,
      [path.join(ROOT, 'bin', 'clicklogger.js'), 'local', '--generate', '100000', '--date', DATE, '--out', out],
      cliEnv(),
    ),
  );
  fs.rmSync(out, { recursive: true, force: true });
  rows.push({
    measure: '`clicklogger local --generate 100000` end to end (process wall time)',
    value: seconds(ms),
    note: 'synth, ingestion, Parquet, state machine, report',
  });
}
