/**
 * What a report execution's job run did, for `clicklogger run`: which job run it started (from
 * the execution's history), what the job said when it failed (its driver's logs in the logs
 * bucket), and what it cost when it succeeded (GetJobRun's billed resources).
 */
import { gunzipSync } from 'node:zlib';
import { type EMRServerlessClient, GetJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { driverLogKey } from '../core/contracts';
import { describeError } from '../core/errors';
import { jobsOwnWords } from '../local/emr/spark-output';
import { PRICES } from '../cost/prices';

export interface JobRunRef {
  readonly applicationId: string;
  readonly jobRunId: string;
}

/** The job run the execution started: the output of its StartJobRun task. */
export function jobRunFromHistory(events: readonly HistoryEvent[]): JobRunRef | undefined {
  for (const event of events) {
    const details = event.taskSucceededEventDetails;
    if (details?.resourceType !== 'aws-sdk:emrserverless' || details.resource !== 'startJobRun') continue;
    try {
      const output = JSON.parse(details.output ?? '') as { ApplicationId?: unknown; JobRunId?: unknown };
      if (typeof output.ApplicationId === 'string' && typeof output.JobRunId === 'string') {
        return { applicationId: output.ApplicationId, jobRunId: output.JobRunId };
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The job's own words from its driver's logs: stderr first, where the job writes its error line. */
export async function driverWords(
  s3: S3Client,
  logsBucket: string,
  run: JobRunRef,
): Promise<{ where: string; lines: string[] } | { problem: string }> {
  const places: string[] = [];
  for (const stream of ['stderr', 'stdout'] as const) {
    const key = driverLogKey(run.applicationId, run.jobRunId, stream);
    const where = `s3://${logsBucket}/${key}`;
    places.push(where);
    let text: string;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: logsBucket, Key: key }));
      text = gunzipSync(await object.Body!.transformToByteArray()).toString('utf8');
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') continue;
      return { problem: `cannot read ${where}: ${describeError(error)}` };
    }
    const lines = jobsOwnWords(text);
    if (lines.length > 0) return { where, lines };
  }
  return { problem: `the driver's logs hold nothing from the job (${places.join(', ')})` };
}

export interface JobRunCost {
  readonly vcpuHours: number;
  readonly memoryGbHours: number;
  readonly storageGbHours: number;
  readonly usd: number;
}

/** What the job run was billed for, priced as an ARM64 application (the stack's). */
export async function jobRunCost(emr: EMRServerlessClient, run: JobRunRef): Promise<JobRunCost | undefined> {
  const { jobRun } = await emr.send(new GetJobRunCommand(run));
  const billed = jobRun?.billedResourceUtilization;
  if (!billed) return undefined;
  const vcpuHours = billed.vCPUHour ?? 0;
  const memoryGbHours = billed.memoryGBHour ?? 0;
  const storageGbHours = billed.storageGBHour ?? 0;
  const usd =
    vcpuHours * PRICES.emrArm.vcpuHour +
    memoryGbHours * PRICES.emrArm.gbHour +
    storageGbHours * PRICES.emrStorageGbHour;
  return { vcpuHours, memoryGbHours, storageGbHours, usd };
}
