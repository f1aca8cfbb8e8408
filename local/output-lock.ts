/**
 * One run at a time per output folder: a run that starts empties the buckets, so a second run
 * into the same folder would count the first one's files. The lock file is created atomically
 * (a hard link of a complete file) and holds the PID and start time. A lock whose process is
 * gone is taken over.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../functions/shared/errors';

export const LOCK_FILE = '.clicklogger.lock';

interface LockOwner {
  /** Tells two runs of one process apart. */
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

class OutputLockedError extends UserError {
  constructor(outDir: string, owner: LockOwner) {
    super(
      `${outDir} is in use by another clicklogger run (PID ${owner.pid} on ${owner.host}, started ${owner.startedAt}); wait for it or choose another --out`,
    );
    this.name = 'OutputLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner> | null;
    return Number.isInteger(owner?.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

export interface OutputLock {
  release(): Promise<void>;
}

/** Locks `outDir` for this process; `onNotice` hears about a stale lock taken over. */
export async function lockOutput(
  outDir: string,
  onNotice: (line: string) => void = () => undefined,
): Promise<OutputLock> {
  await fs.mkdir(outDir, { recursive: true });
  const file = path.join(outDir, LOCK_FILE);
  const me: LockOwner = {
    token: randomUUID(),
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  const draft = `${file}.${me.token}.draft`;
  await fs.writeFile(draft, JSON.stringify(me));
  try {
    try {
      await fs.link(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(file);
      if (owner && (owner.host !== me.host || alive(owner.pid))) throw new OutputLockedError(outDir, owner);
      // Its process is gone: replace the lock in one step, then make sure no other run did too.
      await fs.rename(draft, file);
      const now = await readOwner(file);
      if (now?.token !== me.token) throw new OutputLockedError(outDir, now ?? owner!);
      onNotice(
        owner
          ? `took over the lock of ${outDir} from PID ${owner.pid} (started ${owner.startedAt}), which is no longer running`
          : `took over an unreadable lock file in ${outDir}`,
      );
    }
  } finally {
    await fs.rm(draft, { force: true });
  }
  return {
    async release() {
      const owner = await readOwner(file);
      if (owner?.token === me.token) await fs.rm(file, { force: true });
    },
  };
}
