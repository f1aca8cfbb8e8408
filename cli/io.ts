/** Where the CLI writes; tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Rewrites the current line (progress); only called when `tty` is set. */
  progress(text: string): void;
  readonly tty: boolean;
  /** Piped: how often a long command writes where it is to standard error; never when unset. */
  readonly pipedProgressEveryMs?: number;
  /** Why writing the output failed (other than a closed pipe), once what was written is flushed. */
  outputFailure?(): Promise<NodeJS.ErrnoException | undefined>;
}

// Writing to a closed pipe (`clicklogger local | head -1`) is not an error of the run: the rest
// of the output is dropped, and the run finishes (and releases its lock) as usual. Any other
// failure (a full disk: `> /dev/full`) is kept, and reported once the command has finished.
// One watcher per process (test runners load this module more than once), so its state lives
// on the stream it watches.
const STATE = Symbol.for('clicklogger.stdout-state');
interface StdoutState {
  closed: boolean;
  failure?: NodeJS.ErrnoException;
}
const stdout = process.stdout as NodeJS.WriteStream & { [STATE]?: StdoutState };
if (stdout[STATE] === undefined) {
  const state: StdoutState = { closed: false };
  stdout[STATE] = state;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    state.closed = true;
    if (error.code !== 'EPIPE') state.failure ??= error;
  });
}
const state = stdout[STATE];

export const processIo: Io = {
  out: (line) => void (state.closed || stdout.write(`${line}\n`)),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: (text) => process.stderr.write(`\r${text}\x1b[K`),
  tty: Boolean(process.stderr.isTTY),
  pipedProgressEveryMs: 5_000,
  // A short command writes its last lines just before it returns: their error comes after
  // the write, so it is waited for.
  outputFailure: () =>
    new Promise((resolve) => {
      if (state.closed) return resolve(state.failure);
      stdout.write('', () => setImmediate(() => resolve(state.failure)));
    }),
};
