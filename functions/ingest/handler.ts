/**
 * Ingestion Lambda (replaces the seed's Java ClickLoggerHandler): validates click events
 * and sends the valid ones to Firehose. The answer says which events were rejected and
 * why, and which could not be delivered.
 */
import type { Context } from 'aws-lambda';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../../core/click-schema';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/observability';
import { firehoseClientOptions } from './deliver';
import { ingestEvents } from './ingest';
import { isHttpEvent, parseRequest, RequestError } from './request';
import { fromError, fromSummary, type IngestResponse, toHttp } from './response';

/** Time kept back from the Lambda timeout to answer after the last delivery attempt. */
const ANSWER_MARGIN_MS = 1_500;

// Retries are ours (deliver.ts): they resend only failed entries and respect the deadline.
const firehose = new FirehoseClient(firehoseClientOptions());
const streamName = requireEnv('DELIVERY_STREAM_NAME');
const maxClockSkewMs = clockSkewMs(process.env.MAX_CLOCK_SKEW_SECONDS);

/** MAX_CLOCK_SKEW_SECONDS (the stack sets it), in milliseconds. */
export function clockSkewMs(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_MAX_CLOCK_SKEW_SECONDS * 1000;
  if (!/^\d+$/.test(value)) throw new Error(`MAX_CLOCK_SKEW_SECONDS must be a whole number of seconds, got "${value}"`);
  return Number(value) * 1000;
}

export async function handler(event: unknown, context: Context) {
  logger.addContext(context);
  const http = isHttpEvent(event);
  let response: IngestResponse;
  try {
    const request = parseRequest(event);
    const summary = await ingestEvents(request.events, {
      firehose,
      streamName,
      receivedAt: new Date(),
      sourceIp: request.sourceIp,
      maxClockSkewMs,
      deadline: Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS,
    });
    response = fromSummary(summary);
    logger.info('ingested', {
      events: request.events.length,
      accepted: summary.accepted,
      rejected: summary.rejected.length,
      failed: summary.failed.length,
      calls: summary.calls,
    });
    metrics.addMetric('accepted', MetricUnit.Count, summary.accepted);
    metrics.addMetric('rejected', MetricUnit.Count, summary.rejected.length);
    metrics.addMetric('failed', MetricUnit.Count, summary.failed.length);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    logger.warn('invalid request', { reason: error.message });
    metrics.addMetric('invalidRequests', MetricUnit.Count, 1);
    response = fromError(error.statusCode, error.message);
  } finally {
    metrics.publishStoredMetrics();
  }
  return http ? toHttp(response) : response;
}
