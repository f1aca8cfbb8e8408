/**
 * The people whose clicks are not stored again (`suppressed.json` in the output folder): the
 * pseudonyms (`u_…`, `c_…`) that `clicklogger erase` adds, never a plain value. Kept across runs,
 * as the pseudonym key is: a run that starts from empty buckets still honours an erasure.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { writeFileAtomically } from '../../report/atomic-file';

export const SUPPRESSION_LIST = 'suppressed.json';
const PSEUDONYM = /^[uc]_[a-z2-7]{26}$/;

export async function readSuppressionList(outDir: string): Promise<string[]> {
  const file = path.join(outDir, SUPPRESSION_LIST);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ids = (JSON.parse(text) as { suppressed?: unknown }).suppressed;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && PSEUDONYM.test(id))) {
    throw new UserError(`${file} is not a suppression list ({"suppressed": ["u_…", "c_…"]})`);
  }
  return ids as string[];
}

/** Adds a pseudonym to the list (once). */
export async function suppress(outDir: string, pseudonym: string): Promise<void> {
  const ids = new Set(await readSuppressionList(outDir));
  if (ids.has(pseudonym)) return;
  ids.add(pseudonym);
  const list = `${JSON.stringify({ suppressed: [...ids].sort() }, null, 2)}\n`;
  await writeFileAtomically(path.join(outDir, SUPPRESSION_LIST), list);
}
