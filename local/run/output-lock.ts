/**
 * One run at a time per output folder: a run that starts empties the buckets, so a second run
 * into the same folder would count the first one's files.
 *
 * The lock is a folder, `<out>/.clicklogger.lock/`, that always holds exactly one file naming its
 * owner (`owner-<token>.json`: PID, the process's start time, host, start of the run). A run
 * takes it by renaming a complete folder of its own into place, which fails while a lock with an
 * owner exists. A lock whose owner is gone is taken over in two steps that no two runs can both
 * win: removing that owner's file (only one run can remove a given file) and then the emptied
 * folder; a run that loses either step looks again. A reused PID is not mistaken for the owner:
 * the owner's process must also have the recorded start time.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { type Dirent, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { UserError } from '../../core/errors';

export const LOCK_FILE = '.clicklogger.lock';
const OWNER_NAME = /^owner-.+\.json$/;
/** A run's lock folder before it is renamed into place: `.clicklogger.lock.<token>.draft`. */
const DRAFT_NAME = /^\.clicklogger\.lock\.[0-9a-f-]{36}\.draft$/;
/** However the lock folder keeps changing, a run gives up after this long, in one line. */
const TAKE_DEADLINE_MS = 10_000;
/** A draft with no owner file yet is another run's, being made, until it is this old. */
const EMPTY_DRAFT_AGE_MS = 60_000;

export interface LockOwner {
  /** Tells two runs of one process apart. */
  readonly token: string;
  readonly pid: number;
  /** When the owning process started (Linux clock ticks since boot); tells a reused PID apart. */
  readonly pidStart?: string;
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

/** The start time of process `pid` (field 22 of /proc/<pid>/stat), where the system says. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `owner` still runs. */
function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true; // another machine's process: cannot tell, so assume so
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStartTime(owner.pid);
  return owner.pidStart === undefined || start === undefined || start === owner.pidStart;
}

/**
 * The lock folder's owner file, if it has one, and the entries that are not one (a `.DS_Store`,
 * or a folder named like an owner file). No run ever adds to a lock folder that exists, so an
 * ownerless folder's entries are strays that no run will claim.
 */
async function readOwner(lockDir: string): Promise<{ file?: string; owner?: LockOwner; strays: string[] } | undefined> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(lockDir, { withFileTypes: true });
  } catch {
    return undefined; // gone meanwhile
  }
  const isOwner = (e: Dirent) => e.isFile() && OWNER_NAME.test(e.name);
  const strays = entries.filter((e) => !isOwner(e)).map((e) => e.name);
  const name = entries.find(isOwner)?.name;
  if (!name) return { strays };
  const file = path.join(lockDir, name);
  return { file, owner: await readOwnerFile(file), strays };
}

async function readOwnerFile(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner> | null;
    return Number.isInteger(owner?.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** One line for what stops a run from using `outDir` as its folder, or undefined. */
async function outputFolderProblem(outDir: string): Promise<string | undefined> {
  if (outDir === path.parse(outDir).root) return `--out ${outDir} is the root folder: give the run a folder of its own`;
  try {
    const stat = await fs.stat(outDir);
    if (!stat.isDirectory()) return `--out ${outDir} is a file, not a folder`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return `--out ${outDir} is inside a file, not a folder`;
    if (code !== 'ENOENT') return `cannot use --out ${outDir}: ${code}`;
  }
  return undefined;
}

/** Creates `dir` and its parents; an error names the real cause (a recursive mkdir says ENOENT for a read-only parent). */
async function makeFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(dir);
  }
}

function folderError(outDir: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EROFS'
      ? 'it is on a read-only file system'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : (code ?? (error as Error).message);
  return new UserError(`cannot write to --out ${outDir}: ${why}`, { cause: error });
}

export interface OutputLock {
  release(): Promise<void>;
}

/** Locks `outDir` for this process; `onNotice` hears about a stale lock taken over. */
export async function lockOutput(
  outDir: string,
  onNotice: (line: string) => void = () => undefined,
): Promise<OutputLock> {
  const problem = await outputFolderProblem(outDir);
  if (problem) throw new UserError(problem);
  const lockDir = path.join(outDir, LOCK_FILE);
  const me: LockOwner = {
    token: randomUUID(),
    pid: process.pid,
    pidStart: processStartTime(process.pid),
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  const draft = `${lockDir}.${me.token}.draft`;
  const ownerName = `owner-${me.token}.json`;
  try {
    await makeFolder(outDir);
    await fs.mkdir(draft);
    await fs.writeFile(path.join(draft, ownerName), JSON.stringify(me));
  } catch (error) {
    await fs.rm(draft, { recursive: true, force: true }).catch(() => undefined);
    throw folderError(outDir, error);
  }

  let removed: Removed | undefined;
  const deadline = Date.now() + TAKE_DEADLINE_MS;
  try {
    await removeDeadDrafts(outDir);
    for (let attempt = 0; ; attempt++) {
      try {
        // Fails while the lock folder exists and is not empty: it always holds its owner's file.
        await fs.rename(draft, lockDir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR') removed = (await removeStaleLockFile(outDir, lockDir)) ?? removed;
        else if (code === 'EEXIST' || code === 'ENOTEMPTY')
          removed = (await takeOverIfStale(outDir, lockDir)) ?? removed;
        else throw folderError(outDir, error);
      }
      if (Date.now() > deadline) {
        throw new UserError(
          `cannot take the lock of ${outDir}: ${lockDir} could not be taken over; remove it if no clicklogger run uses ${outDir}`,
        );
      }
      // Runs racing for one lock settle in a few turns; past those, wait a little between looks.
      if (attempt > 10) await setTimeout(20);
    }
  } finally {
    await fs.rm(draft, { recursive: true, force: true });
  }
  if (removed) onNotice(takeOverNotice(outDir, removed));
  return {
    async release() {
      await fs.rm(path.join(lockDir, ownerName), { force: true });
      await fs.rmdir(lockDir).catch(() => undefined);
    },
  };
}

type Removed = LockOwner | 'unreadable' | { strays: string[] };

/**
 * Removes the lock when its owner is gone; returns what was removed. Throws while the owner
 * runs. Whatever happens, the caller tries to take the lock again.
 */
async function takeOverIfStale(outDir: string, lockDir: string): Promise<Removed | undefined> {
  const current = await readOwner(lockDir);
  if (!current) return undefined;
  const { file, owner, strays } = current;
  if (!file) {
    // Ownerless: empty (a takeover stopped halfway) or holding strays only. Removing only the
    // names seen here never touches the owner file of a run that takes the lock meanwhile.
    for (const name of strays) await fs.rm(path.join(lockDir, name), { recursive: true, force: true });
    await fs.rmdir(lockDir).catch(() => undefined);
    return strays.length > 0 ? { strays } : undefined;
  }
  if (owner && ownerAlive(owner)) throw new OutputLockedError(outDir, owner);
  try {
    // Only one run can remove this file: the others see ENOENT and look again.
    await fs.unlink(file);
  } catch {
    return undefined;
  }
  await fs.rmdir(lockDir).catch(() => undefined);
  return owner ?? 'unreadable';
}

/** Removes the draft lock folders of runs that died before they took the lock. */
async function removeDeadDrafts(outDir: string): Promise<void> {
  const names = await fs.readdir(outDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => DRAFT_NAME.test(n))) {
    const draft = path.join(outDir, name);
    const found = await readOwner(draft);
    if (!found) continue;
    const dead = found.file
      ? found.owner !== undefined && !ownerAlive(found.owner)
      : Date.now() - (await fs.stat(draft).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > EMPTY_DRAFT_AGE_MS;
    if (dead) await fs.rm(draft, { recursive: true, force: true });
  }
}

function takeOverNotice(outDir: string, removed: Removed): string {
  if (removed === 'unreadable') return `took over an unreadable lock in ${outDir}`;
  if ('strays' in removed)
    return `took over the lock of ${outDir}: it held no owner, only ${removed.strays.join(', ')}`;
  return `took over the lock of ${outDir} from PID ${removed.pid} (started ${removed.startedAt}), which is no longer running`;
}

/** A lock file of an earlier clicklogger (a file, not a folder): removed when its PID is gone. */
async function removeStaleLockFile(outDir: string, lockFile: string): Promise<Removed | undefined> {
  const owner = await readOwnerFile(lockFile);
  if (owner && ownerAlive(owner)) throw new OutputLockedError(outDir, owner);
  try {
    // Removes the old file only: once a run has put its lock folder there, this fails.
    await fs.unlink(lockFile);
  } catch {
    return undefined;
  }
  return owner ?? 'unreadable';
}
