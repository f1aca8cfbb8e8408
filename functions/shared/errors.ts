/**
 * Errors with a stable `name`: Step Functions matches Lambda errors by name
 * (ErrorEquals), so these names are part of the workflow's contract.
 */
export class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class InvalidInputDateError extends NamedError {
  constructor(message: string) {
    super('InvalidInputDate', message);
  }
}

export class MissingJobRunIdError extends NamedError {
  constructor() {
    super('MissingJobRunId', 'jobRunId is required');
  }
}

export class JobRunNotFoundError extends NamedError {
  constructor(applicationId: string, jobRunId: string) {
    super('JobRunNotFound', `Job run ${jobRunId} not found in application ${applicationId}`);
  }
}

/** GetJobRun failed in a way worth retrying (throttling, 5xx); the workflow retries it. */
export class JobStatusUnavailableError extends NamedError {
  constructor(message: string) {
    super('JobStatusUnavailable', message);
  }
}
