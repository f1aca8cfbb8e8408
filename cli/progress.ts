/**
 * What a long command shows while it works: on a terminal, one line rewritten in place; piped,
 * a line on standard error every few seconds (the Io's pipedProgressEveryMs: 5 s for the
 * process, none for a test's captured output), so that a log shows the run is alive and where.
 */
import type { Io } from './io';

export interface Progress {
  /** What the command is doing now. */
  show(text: string): void;
  /** Clears the terminal's line; no more lines after this. */
  stop(): void;
}

export function progress(io: Io, everyMs = io.pipedProgressEveryMs, now: () => number = Date.now): Progress {
  const started = now();
  let text = '';
  const timer =
    io.tty || everyMs === undefined
      ? undefined
      : setInterval(() => {
          if (text !== '') io.err(`${text} (${Math.round((now() - started) / 1000)} s)`);
        }, everyMs);
  // A timer of its own must never keep the process alive.
  timer?.unref();
  return {
    show(next) {
      text = next;
      if (io.tty) io.progress(next);
    },
    stop() {
      clearInterval(timer);
      if (io.tty && text !== '') io.progress('');
      text = '';
    },
  };
}
