/** What the seed's design would cost at a load, for the cost report's comparison. */
import { type Capacity, jobSize } from '../core/job-sizing';
import { ASSUMPTIONS, type Load } from './assumptions';
import { BYTES_PER_GB, DAYS_PER_MONTH, firehoseBilledBytes, HOURS_PER_MONTH, PRICES } from './prices';

/** The seed's 10 pre-initialized 4 vCPU / 20 GB workers. */
const SEED_CAPACITY: Capacity = { vcpu: 40, memoryGb: 200 };

/**
 * The seed's design at the same load: a Java Lambda invoked once a click, one PutRecord a
 * click (each billed as 5 KB), format conversion without dynamic partitioning, a NAT gateway,
 * and 5 + 5 pre-initialized 4 vCPU / 20 GB x86 workers billed while the application is started
 * (the job, then the idle timeout). S3, Step Functions and logs as ours.
 */
export function seedCost(load: Load): number {
  const month = DAYS_PER_MONTH;
  const clicksPerMonth = load.clicksPerDay * month;
  const billedGb = (clicksPerMonth * firehoseBilledBytes(load.bytesPerClick)) / BYTES_PER_GB;
  const lambda =
    (clicksPerMonth / 1e6) * PRICES.lambda.perMillionRequests +
    clicksPerMonth *
      (ASSUMPTIONS.seedJavaMsPerClick / 1000) *
      (ASSUMPTIONS.seedLambdaMb / 1024) *
      PRICES.lambda.gbSecondX86;
  const firehose = billedGb * (PRICES.firehose.ingestionGb + PRICES.firehose.formatConversionGb);
  const parquetGbPerDay = (load.clicksPerDay * load.bytesPerClick * ASSUMPTIONS.parquetRatio) / BYTES_PER_GB;
  const nat = HOURS_PER_MONTH * PRICES.natGatewayHour + parquetGbPerDay * month * PRICES.natGatewayGb;
  const seedJob = jobSize({ ...load, lateDays: 0, filesPerDay: 1 }, SEED_CAPACITY);
  const warmHours = ((seedJob.minutes + ASSUMPTIONS.seedIdleMinutesAfterJob) / 60) * month;
  const workers = warmHours * 10 * (4 * PRICES.emrX86.vcpuHour + 20 * PRICES.emrX86.gbHour);
  const logs =
    ((clicksPerMonth * ASSUMPTIONS.logBytesPerInvocation) / BYTES_PER_GB) *
    (PRICES.logsIngestionGb + PRICES.logsStorageGbMonth);
  const storage = ((parquetGbPerDay * month) / 2) * PRICES.s3.gbMonth;
  return lambda + firehose + nat + workers + logs + storage;
}
