/**
 * `clicklogger erase`: one person's clicks out of a local run's raw data. It says what it will
 * remove and asks first (unless --yes), rewrites the files that hold them under the output
 * folder's lock, re-reports the days they were on, logs the erasure by pseudonym, and ends with
 * a proof: a scan that finds none of the person's clicks left.
 */
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { isReportDate } from '../core/report-date';
import { loadPseudonymKeyFile } from '../local/run/pseudonym-key-file';
import { removeFromLedger } from '../local/run/ledger';
import {
  appendErasureLog,
  clearPendingDays,
  markPendingDays,
  readPendingDays,
  type DateRange,
  eraseClicks,
  erasureSubject,
  type ErasureSubject,
  findClicks,
} from '../local/run/erase';
import { synthesizeLocalStack } from '../local/run/synthesized-stack';
import { suppress } from '../local/run/suppression-list';
import { CliError, usageError } from './errors';
import type { Io } from './io';
import { parseFlags } from './flags';
import { daysOf, runLocked } from './local-run';
import { ERASE_USAGE } from './usage';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function rangeOf(from: string | undefined, to: string | undefined): DateRange {
  for (const [flag, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (value !== undefined && !isReportDate(value))
      throw usageError(`${flag} must be a date written YYYY-MM-DD, got "${value}"`);
  }
  if (from && to && from > to) throw usageError(`--from ${from} is after --to ${to}`);
  return { from, to };
}

async function confirmed(io: Io, question: string): Promise<boolean> {
  if (!io.tty || !process.stdin.isTTY) {
    throw usageError(`${question.replace(/\?$/, '')}: add --yes to confirm (there is no terminal to ask on)`);
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export async function eraseCommand(argv: string[], io: Io): Promise<number> {
  const values = parseFlags(
    argv,
    {
      user: { type: 'string' },
      contextid: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      yes: { type: 'boolean' },
    },
    ERASE_USAGE,
  );
  if ((values.user === undefined) === (values.contextid === undefined)) {
    throw usageError(`name the person with one of --user or --contextid (usage: ${ERASE_USAGE})`);
  }
  const [kind, value] =
    values.user !== undefined ? (['user', values.user] as const) : (['contextid', values.contextid!] as const);
  if (value.trim() === '') throw usageError(`--${kind} must not be blank`);
  const range = rangeOf(values.from, values.to);
  if (values.out === '') throw usageError('--out must name a folder, got ""');
  const outDir = path.resolve(values.out ?? '.clicklogger');

  const stack = synthesizeLocalStack();
  const rawDir = path.join(outDir, stack.delivery.rawBucket);
  const subject = erasureSubject(kind, value, await loadPseudonymKeyFile(outDir));
  const within = range.from || range.to ? ` from ${range.from ?? 'the first day'} to ${range.to ?? 'the last'}` : '';
  const found = await findClicks(rawDir, subject, range);
  // An erase that was stopped left its days unreported: they are reported now, whatever is found.
  const pending = await readPendingDays(outDir);
  if (found.length === 0 && pending.length === 0) {
    io.out(`erase: no clicks of ${subject.pseudonym} in ${rawDir}${within}; nothing to remove`);
    return 0;
  }
  const days = [...new Set(found.map((f) => f.date))];
  const rows = found.reduce((n, f) => n + f.rows, 0);
  if (found.length > 0) {
    const plan = `remove ${plural(rows, 'click')} of ${subject.pseudonym} from ${plural(found.length, 'file')} on ${daysOf(days)}${within}`;
    io.out(`erase: will ${plan}, then report those days again`);
    if (!values.yes && !(await confirmed(io, `${plan}?`))) {
      io.out('erase: nothing removed');
      return 1;
    }
  }
  if (pending.length > 0)
    io.out(`erase: an earlier erase stopped before it reported ${daysOf(pending)}; reporting them too`);

  let removed = 0;
  const code = await runLocked(
    {
      command: 'erase',
      source: `clicks of ${subject.pseudonym}${within}`,
      events: [],
      outDir,
      keep: true,
      engine: 'duckdb',
      verbose: false,
      // Under the lock: the files are found again, as another run may have changed them.
      prepare: async (locked) => {
        const inLock = await findClicks(rawDir, subject, range);
        const toReport = [...new Set([...pending, ...inLock.map((f) => f.date)])].sort();
        await markPendingDays(outDir, toReport);
        // Before the rewrite: from here on, a re-sent click of theirs is dropped.
        await suppress(outDir, subject.pseudonym);
        const rows = await eraseClicks(inLock, subject, locked.delivery.parquetCompression);
        await removeFromLedger(outDir, rows);
        removed = [...rows.values()].reduce((a, b) => a + b, 0);
        if (inLock.length > 0) {
          await appendErasureLog(path.join(outDir, locked.outputBucket), {
            time: new Date().toISOString(),
            subject: subject.pseudonym,
            days: [...rows.keys()],
            files: inLock.map((f) => path.relative(outDir, f.file)),
            rows: removed,
          });
        }
        return toReport;
      },
    },
    io,
  );
  if (code !== 0) return code;
  await clearPendingDays(outDir);
  return prove(rawDir, subject, range, io, removed);
}

/** The proof: a scan of the raw data finds none of the person's clicks. */
async function prove(
  rawDir: string,
  subject: ErasureSubject,
  range: DateRange,
  io: Io,
  removed: number,
): Promise<number> {
  const left = await findClicks(rawDir, subject, range);
  if (left.length > 0) {
    throw new CliError(
      `erase: ${plural(
        left.reduce((n, f) => n + f.rows, 0),
        'click',
      )} of ${subject.pseudonym} are still in ${rawDir}`,
    );
  }
  io.out(`erase: removed ${plural(removed, 'click')} of ${subject.pseudonym}; a scan of ${rawDir} finds none left`);
  return 0;
}
