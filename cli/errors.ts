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
