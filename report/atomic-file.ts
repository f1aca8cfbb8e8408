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

/** Writes `content` to `file` atomically, through `<file>.partial` (which an interrupted local run removes). */
export function writeFileAtomically(file: string, content: string): Promise<void> {
  return writeThroughDraft(file, `${file}.partial`, (draft) => fs.writeFile(draft, content, 'utf8'));
}
