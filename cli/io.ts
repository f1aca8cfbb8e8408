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
// One watcher per process (test runners load this module more than once), so its state lives
// on the stream it watches.
const CLOSED = Symbol.for('clicklogger.stdout-closed');
const stdout = process.stdout as NodeJS.WriteStream & { [CLOSED]?: boolean };
if (stdout[CLOSED] === undefined) {
  stdout[CLOSED] = false;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdout[CLOSED] = true;
  });
}

export const processIo: Io = {
  out: (line) => void (stdout[CLOSED] || stdout.write(`${line}\n`)),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: (text) => process.stderr.write(`\r${text}\x1b[K`),
  tty: Boolean(process.stderr.isTTY),
};
