import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Writes `file` whole or not at all: a reader sees the old content or the new, never a part.
 * The draft sits beside the file (`.partial`, which an interrupted local run removes) so the
 * rename stays on one file system; it is removed if the write fails.
 */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  try {
    await fs.writeFile(partial, content, 'utf8');
    await fs.rename(partial, file);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}
