/**
 * Errors with a stable `name`: Step Functions matches Lambda errors by name
 * (ErrorEquals), so these names are part of the workflow's contract.
 */
import { WORKFLOW_ERRORS } from './contracts';

export class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class InvalidInputDateError extends NamedError {
  constructor(message: string) {
    super(WORKFLOW_ERRORS.invalidInputDate, message);
  }
}

export class MissingJobRunIdError extends NamedError {
  constructor() {
    super(WORKFLOW_ERRORS.missingJobRunId, 'jobRunId is required');
  }
}

export class JobRunNotFoundError extends NamedError {
  constructor(applicationId: string, jobRunId: string) {
    super(WORKFLOW_ERRORS.jobRunNotFound, `Job run ${jobRunId} not found in application ${applicationId}`);
  }
}

/** GetJobRun failed in a way worth retrying (throttling, 5xx); the workflow retries it. */
export class JobStatusUnavailableError extends NamedError {
  constructor(message: string) {
    super(WORKFLOW_ERRORS.statusUnavailable, message);
  }
}

/** Listing the partitions or reading the reports failed in a way worth retrying; the workflow retries it. */
export class PartitionListingUnavailableError extends NamedError {
  constructor(message: string) {
    super(WORKFLOW_ERRORS.listingUnavailable, message);
  }
}

/**
 * An error the user can act on (a bad flag, an unreadable file, a folder in use): the CLI prints
 * its message as it is, on one line, and exits with `exitCode`. Anything else is a fault of the
 * program or of a service, printed with its name. Chain the error that led to it as `cause`.
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    /** 2 for usage errors, 1 for everything else. */
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * One line that keeps an error's reason: `Name: message`, the name left out where it says
 * nothing (`Error`) or the message already holds it, a Node error's code standing in for it.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { name?: string; message?: string; code?: string; errors?: unknown[] };
  const message = (e.message ?? '').split('\n')[0];
  // Node reports some connection failures as an AggregateError without a message of its own.
  if (!message && Array.isArray(e.errors) && e.errors.length > 0) return describeError(e.errors[0]);
  const label = e.name && e.name !== 'Error' ? e.name : e.code;
  if (!message) return label ?? e.name ?? Object.prototype.toString.call(error);
  return label && !message.includes(label) ? `${label}: ${message}` : message;
}
