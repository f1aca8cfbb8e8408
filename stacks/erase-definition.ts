/**
 * The erase workflow's Amazon States Language definition: one EMR Serverless job run of the
 * report job in its erase mode (spark/report_erase.py), with the report workflow's job-run
 * states, so the same time budget, cancel and error handling:
 *
 *   StartJobRun (erase <column> <pseudonym> <value> <from> <to> <raw> <output>) → … → ClicksErased
 *
 * The input is `{ JobName, Column, Pseudonym, Value, From, To }`, from `clicklogger erase --stage`; the
 * job validates every argument before it touches a path.
 */
import { ERASURE } from '../core/contracts';
import { checkPollBudget, executionTimeoutSeconds, type JobRunProps, jobRunStates, STATES } from './job-run-states';

export interface EraseWorkflowProps extends Omit<JobRunProps, 'pyFilesUris'> {
  /** s3:// URIs of the job's modules: the renderers (the job imports them) and the erase mode. */
  readonly renderersUri: string;
  readonly eraserUri: string;
  readonly rawBucket: string;
  readonly outputBucket: string;
}

export const ERASED = 'ClicksErased';

/** The execution input, as the CLI sends it. */
export interface EraseInput {
  /** The job run's name: `clicklogger-erase-<pseudonym>`. */
  readonly JobName: string;
  readonly Column: 'user' | 'contextid';
  readonly Pseudonym: string;
  /** The value matched besides the pseudonym: the pseudonym again when the stage stores no plain user. */
  readonly Value: string;
  readonly From: string;
  readonly To: string;
}

export function eraseWorkflowDefinition(props: EraseWorkflowProps): Record<string, unknown> {
  checkPollBudget(props);
  return {
    Comment: "clicklogger erase: rewrite the raw data without one person's clicks, as a job run of the report job",
    StartAt: STATES.startJobRun,
    TimeoutSeconds: executionTimeoutSeconds(props),
    States: {
      ...jobRunStates({
        ...props,
        pyFilesUris: [props.renderersUri, props.eraserUri],
        jobName: '$.JobName',
        entryPointArguments:
          `States.Array('${ERASURE.mode}', $.Column, $.Pseudonym, $.Value, $.From, $.To, ` +
          `'${props.rawBucket}', '${props.outputBucket}')`,
        succeeded: ERASED,
      }),
      [ERASED]: { Type: 'Succeed' },
    },
  };
}
