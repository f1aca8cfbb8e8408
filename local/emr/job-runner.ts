/**
 * A local stand-in for the EMR Serverless application. StartJobRun (called by the state
 * machine with the same parameters as in the cloud) runs the job on a local engine (see
 * job-engines.ts); GetJobRun (called by the real job-status handler) reports its state;
 * CancelJobRun stops the engine and waits for it, as EMR Serverless goes CANCELLING → CANCELLED.
 */
import { randomUUID } from 'node:crypto';
import { GetJobRunCommand, type GetJobRunCommandOutput } from '@aws-sdk/client-emr-serverless';
import { ERASURE } from '../../core/contracts';
import { NamedError } from '../../core/errors';
import type { SparkSubmitDriver } from './spark-job';

export interface StartJobRunParameters {
  ApplicationId?: string;
  ClientToken?: string;
  ExecutionRoleArn?: string;
  Name?: string;
  JobDriver?: { SparkSubmit?: { EntryPoint?: string; EntryPointArguments?: string[]; SparkSubmitParameters?: string } };
}

export type JobState = 'SUBMITTED' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'CANCELLING' | 'CANCELLED';

export interface CancelJobRunParameters {
  ApplicationId?: string;
  JobRunId?: string;
}

interface JobRun {
  jobRunId: string;
  name?: string;
  state: JobState;
  stateDetails: string;
  driver: SparkSubmitDriver;
  createdAt: Date;
  updatedAt: Date;
  readonly cancel: AbortController;
}

/**
 * Runs one job to completion; a rejection's message becomes the run's stateDetails. When
 * `signal` aborts, the engine stops the job, writes nothing more, and then settles.
 */
export type JobEngine = (driver: SparkSubmitDriver, signal: AbortSignal) => Promise<void>;

const TERMINAL: readonly JobState[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

export interface LocalEmrServerlessProps {
  readonly applicationId: string;
  /** The s3:// URI of the job script the stack uploads; StartJobRun must name it. */
  readonly scriptUri: string;
  readonly engine: JobEngine;
  /** Called on each state a job run enters. */
  readonly onJobState?: (state: JobState, jobRunId: string) => void;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class LocalEmrServerless {
  readonly runs = new Map<string, JobRun>();
  private readonly byToken = new Map<string, string>();
  private readonly pending = new Set<Promise<void>>();

  readonly applicationId: string;

  constructor(private readonly props: LocalEmrServerlessProps) {
    this.applicationId = props.applicationId;
  }

  /** The state machine's `emrserverless:startJobRun` task. */
  startJobRun(params: StartJobRunParameters): { ApplicationId: string; JobRunId: string; Arn: string } {
    if (params.ApplicationId !== this.applicationId) {
      throw new NamedError(
        'EmrServerless.ResourceNotFoundException',
        `Application ${params.ApplicationId} does not exist`,
      );
    }
    const driver = params.JobDriver?.SparkSubmit;
    if (driver?.EntryPoint !== this.props.scriptUri) {
      throw new NamedError(
        'EmrServerless.ValidationException',
        `EntryPoint ${driver?.EntryPoint} is not the job script ${this.props.scriptUri}`,
      );
    }
    const args = driver.EntryPointArguments ?? [];
    // The report's [dates, raw, output], or the erase mode's [erase, …, raw, output].
    const expected = args[0] === ERASURE.mode ? 8 : 3;
    if (
      args.length !== expected ||
      args.some((a) => typeof a !== 'string') ||
      !args.slice(-2).every((b) => BUCKET.test(b))
    ) {
      throw new NamedError(
        'EmrServerless.ValidationException',
        'EntryPointArguments must be [date, raw bucket, output bucket] or [erase, …, raw bucket, output bucket]',
      );
    }
    const existing = params.ClientToken ? this.byToken.get(params.ClientToken) : undefined;
    const jobRunId = existing ?? randomUUID().replace(/-/g, '').slice(0, 16);
    if (!existing) {
      const now = new Date();
      const run: JobRun = {
        jobRunId,
        name: params.Name,
        state: 'SUBMITTED',
        stateDetails: '',
        driver: {
          entryPoint: driver.EntryPoint,
          entryPointArguments: args,
          sparkSubmitParameters: driver.SparkSubmitParameters,
        },
        createdAt: now,
        updatedAt: now,
        cancel: new AbortController(),
      };
      this.runs.set(jobRunId, run);
      this.props.onJobState?.('SUBMITTED', jobRunId);
      if (params.ClientToken) this.byToken.set(params.ClientToken, jobRunId);
      this.track(this.execute(run));
    }
    return {
      ApplicationId: this.applicationId,
      JobRunId: jobRunId,
      Arn: `arn:aws:emr-serverless:local:000000000000:/applications/${this.applicationId}/jobruns/${jobRunId}`,
    };
  }

  /** The state machine's `emrserverless:cancelJobRun` task: answers once the job has stopped. */
  async cancelJobRun(params: CancelJobRunParameters): Promise<{ ApplicationId: string; JobRunId: string }> {
    const run = params.ApplicationId === this.applicationId ? this.runs.get(params.JobRunId ?? '') : undefined;
    if (!run) {
      throw new NamedError('EmrServerless.ResourceNotFoundException', `Job run ${params.JobRunId} not found`);
    }
    if (TERMINAL.includes(run.state)) {
      throw new NamedError(
        'EmrServerless.ValidationException',
        `Job run ${run.jobRunId} has already ended ${run.state}`,
      );
    }
    this.cancel(run, `job run ${run.jobRunId} cancelled`);
    await this.idle();
    return { ApplicationId: this.applicationId, JobRunId: run.jobRunId };
  }

  /** The EMR Serverless client surface the job-status handler uses. */
  async send(command: GetJobRunCommand): Promise<GetJobRunCommandOutput> {
    if (!(command instanceof GetJobRunCommand)) throw new Error('the local EMR Serverless implements GetJobRun only');
    const { applicationId, jobRunId } = command.input;
    const run = applicationId === this.applicationId ? this.runs.get(jobRunId ?? '') : undefined;
    if (!run) throw new NamedError('ResourceNotFoundException', `Job run ${jobRunId} not found`);
    return {
      $metadata: {},
      jobRun: {
        applicationId: this.applicationId,
        jobRunId: run.jobRunId,
        name: run.name,
        arn: '',
        createdBy: 'local',
        createdAt: run.createdAt,
        updatedAt: run.updatedAt,
        executionRole: '',
        releaseLabel: 'local',
        jobDriver: undefined,
        state: run.state,
        stateDetails: run.stateDetails,
      },
    };
  }

  /** Stops every job still running and waits for them (the run is being interrupted). */
  async stopAll(reason: string): Promise<void> {
    for (const run of this.runs.values()) this.cancel(run, reason);
    await this.idle();
  }

  /** Resolves when every started job has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(job: Promise<void>): void {
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  private transition(run: JobRun, state: JobState, stateDetails = ''): void {
    Object.assign(run, { state, stateDetails, updatedAt: new Date() });
    this.props.onJobState?.(state, run.jobRunId);
  }

  /** As EMR Serverless does on CancelJobRun: CANCELLING now, CANCELLED once the job has stopped. */
  private cancel(run: JobRun, reason: string): void {
    if (TERMINAL.includes(run.state) || run.cancel.signal.aborted) return;
    this.transition(run, 'CANCELLING');
    run.cancel.abort(new Error(reason));
  }

  private async execute(run: JobRun): Promise<void> {
    await Promise.resolve();
    const { signal } = run.cancel;
    if (!signal.aborted) this.transition(run, 'RUNNING');
    try {
      await this.props.engine(run.driver, signal);
      this.transition(run, signal.aborted ? 'CANCELLED' : 'SUCCESS');
    } catch (error) {
      if (signal.aborted) this.transition(run, 'CANCELLED', 'Job run cancelled');
      else this.transition(run, 'FAILED', (error as Error).message);
    }
  }
}
