/** An error the CLI reports as one line and a non-zero exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2 for usage errors, 1 for everything else. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, 2);

/** One line that keeps an error's reason: its name when it says something, and its message. */
export function describeError(error: unknown): string {
  const e = error as Error & { errors?: unknown[]; code?: string };
  if (!(e instanceof Error)) return String(error);
  const message = e.message?.split('\n')[0] ?? '';
  // Node reports some connection failures as an AggregateError without a message of its own.
  if (!message && Array.isArray(e.errors) && e.errors.length > 0) return describeError(e.errors[0]);
  if (!message) return e.code ?? e.name ?? 'unknown error';
  return e.name && e.name !== 'Error' && !message.startsWith(e.name) ? `${e.name}: ${message}` : message;
}
