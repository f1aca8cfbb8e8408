/**
 * First step of the report workflow: which days one job run reports (plan.ts), decided by
 * listing the raw partitions of the late-data window against their reports in S3.
 */
import type { Context } from 'aws-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientOptions } from '../../core/aws-client-options';
import { isTransientAwsError } from '../shared/aws-errors';
import { requireEnv } from '../shared/env';
import { describeError, PartitionListingUnavailableError } from '../../core/errors';
import { logger } from '../shared/observability';
import { WORKFLOW_CALL_BUDGET } from '../../core/time-budget';
import { type DatesPlan, type PlanInput, planDates } from './plan';
import { S3Inventory } from './s3-inventory';

/** The most days the late-data window may look back. */
export const MAX_LATE_DAYS = 31;

const client = new S3Client({
  ...awsClientOptions({ maxRequestTimeoutMs: WORKFLOW_CALL_BUDGET.requestTimeoutMs }),
  maxAttempts: WORKFLOW_CALL_BUDGET.sdkAttempts,
});

/** LATE_DAYS: how many days before the latest asked-for day are checked for late clicks. */
export function lateDaysFrom(env: NodeJS.ProcessEnv): number {
  const value = requireEnv('LATE_DAYS', env);
  const days = Number(value);
  if (!/^\d+$/.test(value) || days > MAX_LATE_DAYS) {
    throw new Error(`LATE_DAYS must be a whole number from 0 to ${MAX_LATE_DAYS}, got "${value}"`);
  }
  return days;
}

export async function planInS3(
  input: PlanInput | null,
  s3: Pick<S3Client, 'send'>,
  env: NodeJS.ProcessEnv,
  budgetMs: number = WORKFLOW_CALL_BUDGET.callBudgetMs,
): Promise<DatesPlan> {
  const buckets = { raw: requireEnv('RAW_BUCKET', env), output: requireEnv('OUTPUT_BUCKET', env) };
  const lateDays = lateDaysFrom(env);
  const signal = AbortSignal.timeout(Math.max(1, budgetMs));
  // A hard stop: the budget ends the plan even if a call ignores its abort signal.
  const outOfTime = new Promise<never>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );
  try {
    const plan = await Promise.race([planDates(input, new S3Inventory(s3, buckets, signal), { lateDays }), outOfTime]);
    logger.info('dates planned', { dates: plan.InputDates, reasons: plan.Reasons });
    return plan;
  } catch (error) {
    if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
      throw new PartitionListingUnavailableError(`S3 gave no answer within ${Math.round(budgetMs / 1000)} s`);
    }
    if (isTransientAwsError(error)) {
      throw new PartitionListingUnavailableError(`listing the partitions failed: ${describeError(error)}`);
    }
    throw error;
  }
}

export const handler = async (event: PlanInput | null, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // Give up in time to answer, even when the function's timeout was set shorter than the budget.
  const remaining = context ? context.getRemainingTimeInMillis() - WORKFLOW_CALL_BUDGET.answerMarginMs : Infinity;
  return planInS3(event, client, process.env, Math.min(WORKFLOW_CALL_BUDGET.callBudgetMs, remaining));
};
