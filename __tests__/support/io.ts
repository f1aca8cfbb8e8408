import type { Io } from '../../cli/io';

/** An Io that records what the CLI writes. */
export function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => void stdout.push(...line.split('\n')),
    err: (line) => void stderr.push(...line.split('\n')),
    progress: () => undefined,
    tty: false,
  };
}

/** A long run's progress lines on a piped standard error (cli/progress.ts): `reporting: PlanDates (5 s)`. */
const PROGRESS_LINE = /^(ingesting|reporting): .* \(\d+ s\)$/;

/** Standard error without the progress lines a slow machine adds to a run: what the run had to say. */
export function withoutProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !PROGRESS_LINE.test(line))
    .join('\n');
}
