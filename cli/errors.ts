import { UserError } from '../core/errors';

/** A problem with how the CLI was called, or with what it was asked to do. */
export class CliError extends UserError {
  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A bad flag or argument: exit code 2. */
export const usageError = (message: string) => new CliError(message, { exitCode: 2 });
