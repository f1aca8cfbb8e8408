/**
 * AWS on-demand list prices for us-east-1, in USD: the one table that the idle-cost check, the
 * cost model and `clicklogger run`'s job cost read. Other regions differ by a few percent.
 *
 * Source: each service's public pricing page (aws.amazon.com/<service>/pricing), as published in
 * 2025. These machines have no network, so they were not re-read when this file last changed;
 * check them against the pages before you rely on a figure.
 */
export const PRICES = {
  /** VPC pricing page: NAT gateway hour, public IPv4 address hour, interface endpoint hour per AZ. */
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  interfaceEndpointHourPerAz: 0.01,
  /** KMS pricing page: one customer managed key. */
  kmsKeyMonth: 1,
  /** CloudWatch pricing page: a standard-resolution alarm, a dashboard. */
  alarmMonth: 0.1,
  dashboardMonth: 3,
  /** EMR pricing page, EMR Serverless: per vCPU-hour and GB-hour, ARM64 and x86_64. */
  emrArm: { vcpuHour: 0.042094, gbHour: 0.004628 },
  emrX86: { vcpuHour: 0.052624, gbHour: 0.0057785 },
  /** EMR Serverless ephemeral storage beyond the 20 GB each worker gets free, per GB-hour. */
  emrStorageGbHour: 0.000111,
} as const;

/** CloudWatch's always-free allowance per account. */
export const FREE_TIER = { alarms: 10, dashboards: 3 } as const;

export const HOURS_PER_MONTH = 730;
