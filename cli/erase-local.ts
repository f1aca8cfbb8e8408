/**
 * `clicklogger erase --out DIR`: one person's clicks out of a local run's raw data. Under the
 * output folder's lock it adds them to the suppression list, runs the erase state machine (the
 * job's erase mode on DuckDB or local Spark), and reports the days it changed again; it ends
 * with a proof, a scan that finds none of the person's clicks left.
 */
import * as path from 'node:path';
import type { EngineName } from '../local/emr/engine-names';
import { removeFromLedger } from '../local/run/ledger';
import { loadPseudonymKeyFile } from '../local/run/pseudonym-key-file';
import { clearPendingDays, findClicks, readPendingDays } from '../local/run/erase';
import { type DateRange, erasureSubject, type ErasureSubject } from '../core/erasure';
import { synthesizeLocalStack } from '../local/run/synthesized-stack';
import { suppress } from '../local/run/suppression-list';
import { runEraseWorkflow } from '../local/stepfunctions/erase-workflow';
import { ERASURE } from '../core/contracts';
import { CliError } from './errors';
import type { Io } from './io';
import { daysOf, runLocked } from './local-run';
import { plural } from '../core/plural';
import { type ErasePerson, confirmed, rangeText } from './erase-plan';

export async function eraseLocally(
  person: ErasePerson,
  range: DateRange,
  target: { outDir: string; engine: EngineName; yes: boolean },
  io: Io,
): Promise<number> {
  const { outDir, engine } = target;
  const stack = synthesizeLocalStack();
  const rawDir = path.join(outDir, stack.delivery.rawBucket);
  const outputDir = path.join(outDir, stack.outputBucket);
  const subject = erasureSubject(person.kind, person.value, await loadPseudonymKeyFile(outDir));
  const within = rangeText(range);
  const found = await findClicks(rawDir, subject, range);
  // An erase that was stopped left its days unreported: they are reported now, whatever is found.
  const pending = await readPendingDays(outputDir);
  if (found.length === 0 && pending.length === 0) {
    io.out(`erase: no clicks of ${subject.pseudonym} in ${rawDir}${within}; nothing to remove`);
    return 0;
  }
  if (found.length > 0) {
    const days = [...new Set(found.map((f) => f.date))];
    const rows = found.reduce((n, f) => n + f.rows, 0);
    const plan = `remove ${plural(rows, 'click')} of ${subject.pseudonym} from ${plural(found.length, 'file')} on ${daysOf(days)}${within}`;
    io.out(`erase: will ${plan}, then report those days again`);
    if (!target.yes && !(await confirmed(io, `${plan}?`))) {
      io.out('erase: nothing removed');
      return 1;
    }
  }
  if (pending.length > 0)
    io.out(`erase: an earlier erase stopped before it reported ${daysOf(pending)}; reporting them too`);

  let removed = 0;
  const jobStates: string[] = [];
  const code = await runLocked(
    {
      command: 'erase',
      source: `clicks of ${subject.pseudonym}${within}`,
      events: [],
      outDir,
      keep: true,
      engine,
      verbose: false,
      // Under the lock: the files are found again, as another run may have changed them.
      prepare: async (locked) => {
        const inLock = await findClicks(rawDir, subject, range);
        // Before the rewrite: from here on, a re-sent click of theirs is dropped.
        await suppress(outDir, subject.pseudonym);
        const erased = await runEraseWorkflow({
          stack: locked,
          outDir,
          engine,
          input: {
            JobName: `clicklogger-erase-${subject.pseudonym}`,
            Column: subject.column,
            Pseudonym: subject.pseudonym,
            // Locally both forms are matched: a user stored as sent (`user: keep`) and as its pseudonym.
            Value: person.value,
            From: range.from ?? ERASURE.noDate,
            To: range.to ?? ERASURE.noDate,
          },
          onJobState: (state) => jobStates.push(state),
        });
        io.out(`erase job (${engine}): ${jobStates.join(' → ')}`);
        if (erased.status !== 'SUCCEEDED')
          throw new CliError(`erase workflow failed: ${erased.error}: ${erased.cause}`);
        const rows = new Map<string, number>();
        for (const f of inLock) rows.set(f.date, (rows.get(f.date) ?? 0) + f.rows);
        await removeFromLedger(outDir, rows);
        removed = [...rows.values()].reduce((a, b) => a + b, 0);
        return [...new Set([...pending, ...(await readPendingDays(outputDir))])].sort();
      },
    },
    io,
  );
  if (code !== 0) return code;
  await clearPendingDays(outputDir);
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
    const rows = left.reduce((n, f) => n + f.rows, 0);
    throw new CliError(`erase: ${plural(rows, 'click')} of ${subject.pseudonym} are still in ${rawDir}`);
  }
  io.out(`erase: removed ${plural(removed, 'click')} of ${subject.pseudonym}; a scan of ${rawDir} finds none left`);
  return 0;
}
