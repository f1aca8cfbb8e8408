/**
 * The ingestion core: validate and normalize each event with the shared click schema,
 * then deliver the valid ones. Used by the Lambda handler and by the local pipeline,
 * which differ only in the Firehose client they pass.
 */
import { parseClick } from '../../core/click-schema';
import type { ClickPrivacy } from '../../core/privacy';
import { encodeRecord, type IndexedRecord, oversizeError } from './batches';
import { deliver, type DeliveryOptions, type FirehoseSender } from './deliver';

interface Rejection {
  readonly index: number;
  readonly errors: string[];
}

export interface IngestSummary {
  /** Events that Firehose acknowledged. */
  readonly accepted: number;
  /** Events that failed validation; none of them was sent. */
  readonly rejected: Rejection[];
  /** Valid events that could not be delivered. */
  readonly failed: { index: number; error: string }[];
  /** Valid events of people who were erased: dropped, and not sent. */
  readonly suppressed: number;
  /** PutRecordBatch calls made. */
  readonly calls: number;
  /** Firehose records the valid clicks were packed into. */
  readonly records: number;
}

export interface IngestOptions extends Omit<DeliveryOptions, 'now'> {
  readonly firehose: FirehoseSender;
  /** Time of ingestion: the default createdtime. */
  readonly receivedAt: Date;
  readonly sourceIp?: string;
  /** Refuse a createdtime more than this far ahead of receivedAt. Default: no limit. */
  readonly maxClockSkewMs?: number;
  /** What is kept of each click's clientip and user. */
  readonly privacy: ClickPrivacy;
  readonly now?: () => number;
}

/** A request's events, validated and encoded: the rejected ones, and the records of the rest. */
export interface PreparedEvents {
  readonly rejected: Rejection[];
  readonly records: IndexedRecord[];
  /** Valid events of erased people, dropped. */
  readonly suppressed: number;
  /** The records' size in UTF-8. */
  readonly bytes: number;
}

/** Validates and encodes each event; nothing is sent. The events are not kept. */
export function prepareEvents(
  events: readonly unknown[],
  options: Pick<IngestOptions, 'receivedAt' | 'sourceIp' | 'maxClockSkewMs' | 'privacy'>,
): PreparedEvents {
  const rejected: Rejection[] = [];
  const records: IndexedRecord[] = [];
  let bytes = 0;
  let suppressed = 0;
  const defaults = { now: options.receivedAt, sourceIp: options.sourceIp, maxClockSkewMs: options.maxClockSkewMs };
  const { privacy } = options;
  for (let index = 0; index < events.length; index++) {
    const result = parseClick(events[index], defaults);
    if (!result.ok) {
      rejected.push({ index, errors: result.errors });
      continue;
    }
    const { click } = result;
    if (privacy.isSuppressed(click.user, click.contextid)) {
      suppressed++;
      continue;
    }
    // Before the click is encoded: nothing of the full address or the user name leaves here.
    click.clientip = privacy.clientIp(click.clientip);
    click.user = privacy.user(click.user);
    const record = encodeRecord(index, click);
    const tooBig = oversizeError(record);
    if (tooBig) {
      rejected.push({ index, errors: [tooBig] });
    } else {
      records.push(record);
      bytes += record.bytes;
    }
  }
  return { rejected, records, suppressed, bytes };
}

/** Delivers prepared events. Nothing of them but the rejections is kept while the calls run. */
export function deliverPrepared(prepared: PreparedEvents, options: IngestOptions): Promise<IngestSummary> {
  const { rejected, records, suppressed } = prepared;
  if (records.length === 0) {
    return Promise.resolve({ accepted: 0, rejected, failed: [], suppressed, calls: 0, records: 0 });
  }
  return deliver(options.firehose, records, options).then((result) => ({
    accepted: result.delivered.length,
    rejected,
    suppressed,
    failed: [...result.failed].sort((a, b) => a.index - b.index),
    calls: result.calls,
    records: result.records,
  }));
}

export async function ingestEvents(events: readonly unknown[], options: IngestOptions): Promise<IngestSummary> {
  return deliverPrepared(prepareEvents(events, options), options);
}
