import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Makes `file` whole or not at all: `write` fills `draft`, which is then renamed over `file`, so
 * a reader sees the old content or the new, never a part. The draft sits beside the file, so the
 * rename stays on one file system, and it is removed if the write fails.
 */
export async function writeThroughDraft(
  file: string,
  draft: string,
  write: (draft: string) => Promise<unknown>,
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await write(draft);
    await fs.rename(draft, file);
  } catch (error) {
    await fs.rm(draft, { force: true });
    throw error;
  }
}

/**
 * A draft beside `file`: hidden (neither engine reads a name starting with '.'), and marked with
 * a random token, so that cleaning up after an interrupted run removes only drafts of ours and
 * never a user's own `notes.partial`.
 */
export function draftPath(file: string, kind: 'partial' | 'staged' = 'partial'): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.${kind}`);
}

/** The name of a draft that `draftPath` made. */
export const DRAFT_NAME = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(partial|staged)$/;

/** Writes `content` to `file` atomically, through a draft (which an interrupted local run removes). */
export function writeFileAtomically(file: string, content: string): Promise<void> {
  return writeThroughDraft(file, draftPath(file), (draft) => fs.writeFile(draft, content, 'utf8'));
}

/** Removes the drafts under `dir` that an interrupted run of ours left, and nothing else; how many. */
export async function removeDrafts(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const entry of entries) {
    if (entry.isFile() && DRAFT_NAME.test(entry.name)) {
      await fs.rm(path.join(entry.parentPath, entry.name), { force: true });
      removed++;
    }
  }
  return removed;
}
