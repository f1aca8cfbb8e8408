/**
 * The ledger of one output folder: how many clicks the local runs stored for each event date,
 * counted as the local Firehose commits its files. It is one side of the reconciliation
 * (accepted = stored = counted + duplicates), so it lives beside the buckets and, like them,
 * is kept by `--keep` and reset otherwise.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomically } from '../report/atomic-file';
import { UserError } from '../functions/shared/errors';
import { isReportDate } from '../functions/shared/report-date';

export const LEDGER_FILE = 'accepted-clicks.json';

class LedgerError extends UserError {
  constructor(file: string, problem: string, cause?: unknown) {
    super(`${file} ${problem}; run without --keep to start the output folder afresh`, { cause });
    this.name = 'LedgerError';
  }
}

/** Accepted clicks by event date; empty when the folder has no ledger. */
export async function readLedger(outDir: string): Promise<Map<string, number>> {
  const file = path.join(outDir, LEDGER_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LedgerError(file, 'is not JSON', error);
  }
  const accepted = (parsed as { accepted?: unknown } | null)?.accepted;
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
  return ledger;
}

/** Adds what a run stored; written through a temporary name, so the ledger is never half-written. */
export async function addToLedger(outDir: string, stored: ReadonlyMap<string, number>): Promise<void> {
  if (stored.size === 0) return;
  const ledger = await readLedger(outDir);
  for (const [date, n] of stored) ledger.set(date, (ledger.get(date) ?? 0) + n);
  const accepted = Object.fromEntries([...ledger].sort(([a], [b]) => a.localeCompare(b)));
  const file = path.join(outDir, LEDGER_FILE);
  await writeFileAtomically(file, `${JSON.stringify({ accepted }, null, 2)}\n`);
}

export async function removeLedger(outDir: string): Promise<void> {
  await fs.rm(path.join(outDir, LEDGER_FILE), { force: true });
}
