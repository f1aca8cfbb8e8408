/**
 * The people whose clicks are not stored again (`suppressed.json` in the output folder): the
 * pseudonyms (`u_…`, `c_…`) that `clicklogger erase` adds, never a plain value. Kept across runs,
 * as the pseudonym key is: a run that starts from empty buckets still honours an erasure.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { ERASURE } from '../../core/contracts';
import { parseSuppressionList, SuppressionListError, withSuppressed } from '../../core/suppression-list';
import { writeFileAtomically } from '../../report/atomic-file';

export const SUPPRESSION_LIST = ERASURE.suppressionList;

export async function readSuppressionList(outDir: string): Promise<string[]> {
  const file = path.join(outDir, SUPPRESSION_LIST);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    return parseSuppressionList(text, file);
  } catch (error) {
    if (error instanceof SuppressionListError) throw new UserError(error.message);
    throw error;
  }
}

/** Adds a pseudonym to the list (once). */
export async function suppress(outDir: string, pseudonym: string): Promise<void> {
  const ids = await readSuppressionList(outDir);
  if (ids.includes(pseudonym)) return;
  await writeFileAtomically(path.join(outDir, SUPPRESSION_LIST), withSuppressed(ids, pseudonym));
}
