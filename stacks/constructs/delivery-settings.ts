/**
 * Firehose delivery settings. The stack writes them into the delivery stream, and the
 * local sink reads them back from the synthesized stack, so neither retypes them.
 */
import { PARTITION_KEY, RAW_PREFIX } from '../../core/contracts';

export const DELIVERY = {
  /** Event-time partitions: the date part of the (UTC-normalized) createdtime. */
  partitionQuery: `{${PARTITION_KEY.name}: .createdtime[0:10]}`,
  /** Multi-record deaggregation: consecutive (or newline-delimited) JSON objects, at most 500 a record. */
  subRecordType: 'JSON',
  prefix: `${RAW_PREFIX}/${PARTITION_KEY.name}=!{partitionKeyFromQuery:${PARTITION_KEY.name}}/`,
  errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
  /** Format conversion requires at least 64 MiB. */
  bufferingSizeMiB: 64,
  bufferingIntervalSeconds: 300,
  parquetCompression: 'SNAPPY',
  logStreamName: 'DestinationDelivery',
} as const;
