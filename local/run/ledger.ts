/**
 * The ledger of one output folder: how many clicks the local runs stored for each event date,
 * counted as the local Firehose commits its files. It is one side of the reconciliation
 * (accepted = stored = counted + duplicates), so it lives beside the buckets and, like them,
 * is kept by `--keep` and reset otherwise.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomically } from '../../report/atomic-file';
import { UserError } from '../../core/errors';
import { isReportDate } from '../../core/report-date';

export const LEDGER_FILE = 'accepted-clicks.json';

class LedgerError extends UserError {
  constructor(file: string, problem: string, cause?: unknown) {
    super(`${file} ${problem}; run without --keep to start the output folder afresh`, { cause });
    this.name = 'LedgerError';
  }
}

/** What the ledger file holds: the clicks stored by date, and whether a run was adding to it. */
export interface Ledger {
  readonly accepted: Map<string, number>;
  /**
   * Set while a run stores clicks, cleared when it records them: found set, the run that set it
   * stopped before it could (a kill -9, a power cut), so its stored clicks are not counted here.
   */
  readonly interrupted: boolean;
}

/** The folder's ledger; empty when it has none. */
export async function readLedgerFile(outDir: string): Promise<Ledger> {
  const file = path.join(outDir, LEDGER_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { accepted: new Map(), interrupted: false };
    throw new LedgerError(file, code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LedgerError(file, 'is not JSON', error);
  }
  const { accepted, running } = (parsed ?? {}) as { accepted?: unknown; running?: unknown };
  if (typeof accepted !== 'object' || accepted === null || Array.isArray(accepted)) {
    throw new LedgerError(file, 'has no "accepted" object');
  }
  const ledger = new Map<string, number>();
  for (const [date, count] of Object.entries(accepted)) {
    if (!isReportDate(date) || !Number.isSafeInteger(count) || (count as number) < 0) {
      throw new LedgerError(file, `has a bad entry "${date}": ${JSON.stringify(count)}`);
    }
    ledger.set(date, count as number);
  }
  return { accepted: ledger, interrupted: running === true };
}

/** Accepted clicks by event date; empty when the folder has no ledger. */
export async function readLedger(outDir: string): Promise<Map<string, number>> {
  return (await readLedgerFile(outDir)).accepted;
}

async function writeLedger(outDir: string, accepted: ReadonlyMap<string, number>, running: boolean): Promise<void> {
  const sorted = Object.fromEntries([...accepted].sort(([a], [b]) => a.localeCompare(b)));
  const file = path.join(outDir, LEDGER_FILE);
  await writeFileAtomically(
    file,
    `${JSON.stringify({ accepted: sorted, ...(running ? { running } : {}) }, null, 2)}\n`,
  );
}

/** Marks the ledger before a run stores anything, so that a run that dies is found out by the next. */
export async function markLedgerRunning(outDir: string): Promise<void> {
  await writeLedger(outDir, await readLedger(outDir), true);
}

/** Adds what a run stored, and clears its mark; written through a draft, so never half-written. */
export async function addToLedger(outDir: string, stored: ReadonlyMap<string, number>): Promise<void> {
  const ledger = await readLedger(outDir);
  for (const [date, n] of stored) ledger.set(date, (ledger.get(date) ?? 0) + n);
  await writeLedger(outDir, ledger, false);
}

/** Takes clicks that were removed on purpose (expired raw files) out of the ledger; its mark stays as it is. */
export async function removeFromLedger(outDir: string, removed: ReadonlyMap<string, number>): Promise<void> {
  if (removed.size === 0) return;
  const { accepted, interrupted } = await readLedgerFile(outDir);
  for (const [date, n] of removed) {
    const left = (accepted.get(date) ?? 0) - n;
    if (left > 0) accepted.set(date, left);
    else accepted.delete(date);
  }
  await writeLedger(outDir, accepted, interrupted);
}

/** Makes the ledger count what is stored (after a run that died), and clears the mark. */
export async function replaceLedger(outDir: string, stored: ReadonlyMap<string, number>): Promise<void> {
  await writeLedger(outDir, stored, false);
}

export async function removeLedger(outDir: string): Promise<void> {
  await fs.rm(path.join(outDir, LEDGER_FILE), { force: true });
}
