/** The partitions and reports of a local run, in its bucket folders: what the date plan compares. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { partitionPrefix } from '../../core/contracts';
import { readRecordOf, type ReportInventory, type ReportRead, reportJsonKey } from '../../functions/plan-dates/plan';

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export class FolderInventory implements ReportInventory {
  constructor(
    /** Folder laid out like the raw bucket. */
    private readonly rawDir: string,
    /** Folder laid out like the output bucket. */
    private readonly outputDir: string,
  ) {}

  async partitionFiles(date: string): Promise<string[]> {
    const dir = path.join(this.rawDir, ...partitionPrefix(date).split('/'));
    try {
      return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    } catch (error) {
      if (missing(error)) return [];
      throw error;
    }
  }

  async reportRead(date: string): Promise<ReportRead | 'none' | 'unknown'> {
    try {
      return readRecordOf(await fs.readFile(path.join(this.outputDir, ...reportJsonKey(date).split('/')), 'utf8'));
    } catch (error) {
      if (missing(error)) return 'none';
      throw error;
    }
  }
}
