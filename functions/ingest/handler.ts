/**
 * Ingestion Lambda (replaces the seed's Java ClickLoggerHandler): validates click events
 * and sends the valid ones to Firehose. The answer says which events were rejected and
 * why, and which could not be delivered.
 */
import type { Context } from 'aws-lambda';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { COLLECTOR_ORIGINS_VARIABLE } from '../../core/collector';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../../core/click-schema';
import { ClickPrivacy, PRIVACY_VARIABLES, privacySettings } from '../../core/privacy';
import { awsClientOptions } from '../../core/aws-client-options';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/observability';
import { firehoseClientOptions } from './deliver';
import { handleRequest, type IngestionTarget } from './handle';
import { loadPseudonymKey } from './pseudonym-key';
import { SuppressionList } from './suppression-list';

/** Time kept back from the Lambda timeout to answer after the last delivery attempt. */
const ANSWER_MARGIN_MS = 1_500;

/** MAX_CLOCK_SKEW_SECONDS (the stack sets it), in milliseconds. */
export function clockSkewMs(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_MAX_CLOCK_SKEW_SECONDS * 1000;
  if (!/^\d+$/.test(value)) throw new Error(`MAX_CLOCK_SKEW_SECONDS must be a whole number of seconds, got "${value}"`);
  return Number(value) * 1000;
}

/** COLLECTOR_ORIGINS (set with the public collector): the origins whose pages may send. */
export function allowedOrigins(value: string | undefined): string[] | undefined {
  return value ? value.split(',').filter(Boolean) : undefined;
}

const settings = privacySettings(process.env);
const baseTarget = {
  // Retries are ours (deliver.ts): they resend only failed entries and respect the deadline.
  firehose: new FirehoseClient(firehoseClientOptions()),
  streamName: requireEnv('DELIVERY_STREAM_NAME'),
  maxClockSkewMs: clockSkewMs(process.env.MAX_CLOCK_SKEW_SECONDS),
  allowedOrigins: allowedOrigins(process.env[COLLECTOR_ORIGINS_VARIABLE]),
};

const suppressionBucket = process.env[PRIVACY_VARIABLES.suppressionBucket];
const suppressionList = suppressionBucket
  ? new SuppressionList(new S3Client(awsClientOptions()), suppressionBucket, (error) =>
      logger.warn('suppression list unreadable; using the copy read before', { error }),
    )
  : undefined;

/** The pseudonym key, read once per container (a failed read is tried again next time). */
let key: Promise<Uint8Array> | undefined;
function pseudonymKey(): Promise<Uint8Array> {
  key ??= loadPseudonymKey(new SSMClient(awsClientOptions()), requireEnv(PRIVACY_VARIABLES.keyParameter));
  key.catch(() => (key = undefined));
  return key;
}

/** The target, rebuilt only when the suppression list changes. */
let target: { ids: ReadonlySet<string>; target: IngestionTarget } | undefined;
async function ingestionTarget(): Promise<IngestionTarget> {
  const ids = (await suppressionList?.current()) ?? new Set<string>();
  if (target?.ids !== ids) {
    // Suppression compares pseudonyms, so it needs the key whatever the user mode.
    const needsKey = settings.user === 'pseudonymize' || ids.size > 0;
    const privacy = new ClickPrivacy(settings, needsKey ? await pseudonymKey() : undefined, ids);
    target = { ids, target: { ...baseTarget, privacy } };
  }
  return target.target;
}

export async function handler(event: unknown, context: Context) {
  logger.addContext(context);
  try {
    const handled = await handleRequest(event, await ingestionTarget(), {
      receivedAt: new Date(),
      deadline: Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS,
    });
    const { summary, refused } = handled;
    if (refused) {
      logger.warn('invalid request', { reason: refused.message });
      metrics.addMetric('invalidRequests', MetricUnit.Count, 1);
    } else if (summary) {
      logger.info('ingested', {
        events: handled.events,
        accepted: summary.accepted,
        rejected: summary.rejected.length,
        failed: summary.failed.length,
        calls: summary.calls,
      });
      metrics.addMetric('accepted', MetricUnit.Count, summary.accepted);
      metrics.addMetric('rejected', MetricUnit.Count, summary.rejected.length);
      metrics.addMetric('failed', MetricUnit.Count, summary.failed.length);
    }
    return handled.answer;
  } finally {
    metrics.publishStoredMetrics();
  }
}
