/**
 * AWS on-demand list prices for us-east-1, in USD: the one table that the idle-cost check, the
 * cost model (`clicklogger cost`) and `clicklogger run`'s job cost read. Other regions differ
 * by a few percent.
 *
 * Each group names its source page and when its figures were taken from it. They are the
 * pages as published in 2025: the machines this project is built on have no network, so the
 * figures were not re-read when this file last changed. Check them against the pages before
 * you rely on one, and update `asOf` when you do.
 */
export const PRICE_SOURCES = {
  firehose: { page: 'https://aws.amazon.com/firehose/pricing/', asOf: '2025' },
  lambda: { page: 'https://aws.amazon.com/lambda/pricing/', asOf: '2025' },
  s3: { page: 'https://aws.amazon.com/s3/pricing/', asOf: '2025' },
  emrServerless: { page: 'https://aws.amazon.com/emr/pricing/', asOf: '2025' },
  stepFunctions: { page: 'https://aws.amazon.com/step-functions/pricing/', asOf: '2025' },
  cloudwatch: { page: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: '2025' },
  vpc: { page: 'https://aws.amazon.com/vpc/pricing/', asOf: '2025' },
  kms: { page: 'https://aws.amazon.com/kms/pricing/', asOf: '2025' },
  apiGateway: { page: 'https://aws.amazon.com/api-gateway/pricing/', asOf: '2025' },
} as const;

export const PRICES = {
  /** Firehose, Direct PUT: ingestion (first 500 TB a month) and format conversion, per GB, each record rounded up to 5 KB. */
  firehose: {
    ingestionGb: 0.029,
    formatConversionGb: 0.018,
    /** "A 3 KB record is billed as 5 KB": the rounding is per record, not per call. */
    billingIncrementBytes: 5 * 1024,
    /** Dynamic partitioning: per GB processed, per 1,000 S3 objects delivered, per JQ processing hour. */
    partitioningGb: 0.02,
    partitioningPer1000Objects: 0.005,
    jqHour: 0.07,
  },
  /** Lambda: per million requests, per GB-second (arm64 and x86_64, first tier). */
  lambda: { perMillionRequests: 0.2, gbSecondArm: 0.0000133334, gbSecondX86: 0.0000166667 },
  /**
   * API Gateway HTTP APIs: per million requests, the first 300 million a month and beyond; each
   * request metered in 512 KB increments (a public request is at most 64 KiB: one each).
   */
  httpApi: { perMillionRequests: 1.0, perMillionRequestsBeyond300M: 0.9 },
  /** S3 Standard: per 1,000 PUTs, per 1,000 GETs, per GB-month stored. */
  s3: { per1000Puts: 0.005, per1000Gets: 0.0004, gbMonth: 0.023 },
  /** Step Functions Standard workflows: per 1,000 state transitions. */
  stepFunctionsPer1000Transitions: 0.025,
  /** CloudWatch: a standard-resolution alarm, a dashboard, a custom metric a month; log ingestion and storage per GB. */
  alarmMonth: 0.1,
  dashboardMonth: 3,
  customMetricMonth: 0.3,
  logsIngestionGb: 0.5,
  logsStorageGbMonth: 0.03,
  /** VPC pricing page: NAT gateway hour and GB processed, public IPv4 address hour, interface endpoint hour per AZ. */
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  publicIpv4Hour: 0.005,
  interfaceEndpointHourPerAz: 0.01,
  /** KMS pricing page: one customer managed key. */
  kmsKeyMonth: 1,
  /** EMR pricing page, EMR Serverless: per vCPU-hour and GB-hour, ARM64 and x86_64. */
  emrArm: { vcpuHour: 0.042094, gbHour: 0.004628 },
  emrX86: { vcpuHour: 0.052624, gbHour: 0.0057785 },
  /** EMR Serverless ephemeral storage beyond the 20 GB each worker gets free, per GB-hour. */
  emrStorageGbHour: 0.000111,
} as const;

/** CloudWatch's always-free allowance per account. */
export const FREE_TIER = { alarms: 10, dashboards: 3 } as const;

export const HOURS_PER_MONTH = 730;
/** Days in the month of HOURS_PER_MONTH. */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
/** Pricing pages count data in GB of 2^30 bytes. */
export const BYTES_PER_GB = 1024 ** 3;

/** What Firehose bills for a record of `bytes`: rounded up to the next 5 KB. */
export function firehoseBilledBytes(bytes: number): number {
  const increment = PRICES.firehose.billingIncrementBytes;
  return Math.ceil(bytes / increment) * increment;
}
