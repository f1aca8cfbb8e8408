/** Where the CLI writes; tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Rewrites the current line (progress); only called when `tty` is set. */
  progress(text: string): void;
  readonly tty: boolean;
}

// Writing to a closed pipe (`clicklogger local | head -1`) is not an error of the run: the rest
// of the output is dropped, and the run finishes (and releases its lock) as usual.
let stdoutClosed = false;
const WATCHING = Symbol.for('clicklogger.stdout-epipe');
const watched = process.stdout as NodeJS.WriteStream & { [WATCHING]?: boolean };
// Once per process, though test runners load this module more than once.
if (!watched[WATCHING]) {
  watched[WATCHING] = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
}

export const processIo: Io = {
  out: (line) => void (stdoutClosed || process.stdout.write(`${line}\n`)),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: (text) => process.stderr.write(`\r${text}\x1b[K`),
  tty: Boolean(process.stderr.isTTY),
};
