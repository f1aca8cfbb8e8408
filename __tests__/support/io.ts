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
