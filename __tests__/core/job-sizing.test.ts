/**
 * The daily job's size: the executors the application's limits grant, the shuffle a day needs,
 * and the late days a run reads again. The cost model and the stack both take them from here.
 */
import {
  jobSize,
  jobSizing,
  lateDaysReadAgain,
  maxExecutors,
  parseCapacity,
  shufflePartitions,
  sizingFromSparkParameters,
  sparkSizeParameters,
  UnsupportedLoadError,
} from '../../core/job-sizing';

const DEFAULT_CAPACITY = parseCapacity('16 vCPU', '64 GB');
const day = (clicksPerDay: number) => ({ clicksPerDay, bytesPerClick: 220, lateDays: 3, filesPerDay: 288 });

it('grants the executors that fit beside the driver, by vCPU and by memory', () => {
  expect(maxExecutors(DEFAULT_CAPACITY)).toBe(7); // (16 - 1) / 2
  expect(maxExecutors(parseCapacity('16 vCPU', '20 GB'))).toBe(3); // (20 - 3) / 5
  expect(maxExecutors(parseCapacity('2 vCPU', '64 GB'))).toBe(0);
});

it('asks for an executor per 4 GB of Parquet read, and gets at most what the limits allow', () => {
  const small = jobSize(day(1_000_000), DEFAULT_CAPACITY);
  expect([small.executorsWanted, small.executors, small.vcpu, small.memoryGb]).toEqual([1, 1, 3, 8]);
  const big = jobSize(day(1_000_000_000), DEFAULT_CAPACITY);
  expect(big.executorsWanted).toBeGreaterThan(7);
  expect([big.executors, big.vcpu, big.memoryGb]).toEqual([7, 15, 38]);
  expect(big.vcpu).toBeLessThanOrEqual(DEFAULT_CAPACITY.vcpu);
  expect(big.memoryGb).toBeLessThanOrEqual(DEFAULT_CAPACITY.memoryGb);
});

it('runs longer when fewer executors are granted', () => {
  const roomy = jobSize(day(1_000_000_000), parseCapacity('100 vCPU', '400 GB'));
  const tight = jobSize(day(1_000_000_000), DEFAULT_CAPACITY);
  expect(tight.minutes).toBeGreaterThan(roomy.minutes);
});

it('reads a late day again as often as a late click is likely to land in it', () => {
  expect(lateDaysReadAgain(1_000_000, 3)).toBeCloseTo(3, 6);
  expect(lateDaysReadAgain(100, 3)).toBeLessThan(0.3);
  expect(lateDaysReadAgain(1_000_000, 0)).toBe(0);
  expect(jobSize(day(1_000_000_000), DEFAULT_CAPACITY).daysRead).toBeCloseTo(4, 6);
});

it('sizes the shuffle at about 128 MiB a partition, for the clicks of every day read', () => {
  expect(shufflePartitions(1)).toBe(1);
  expect(shufflePartitions(1_000_000_000)).toBe(1491); // 200 GB / 128 MiB
  expect(jobSizing(1_000_000_000, 3, DEFAULT_CAPACITY)).toEqual({ shufflePartitions: 5961, maxExecutors: 7 });
  expect(jobSize(day(1_000_000_000), DEFAULT_CAPACITY).shufflePartitions).toBe(5961);
});

it('counts the input partitions Spark makes of the files it reads', () => {
  // 1M clicks: 33 MB of Parquet a day, in 288 files of Firehose's, 4 MiB counted for each opened.
  const small = jobSize(day(1_000_000), DEFAULT_CAPACITY);
  expect(small.inputPartitions).toBe(
    Math.ceil((small.parquetGbRead * 1024 ** 3 + 1152 * 4 * 1024 ** 2) / (128 * 1024 ** 2)),
  );
});

it('refuses limits that cannot run the driver and one executor, naming them', () => {
  expect(() => jobSize(day(1_000), parseCapacity('2 vCPU', '64 GB'))).toThrow(UnsupportedLoadError);
  expect(() => jobSize(day(1_000), parseCapacity('2 vCPU', '64 GB'))).toThrow(
    /^emr\.maxCpu 2 vCPU and emr\.maxMemory 64 GB cannot run/,
  );
  expect(() => parseCapacity('sixteen', '64 GB')).toThrow(/emr\.maxCpu "sixteen" is not a number of vCPU/);
});

it('writes the sizing into SparkSubmitParameters and reads it back', () => {
  const sizing = { shufflePartitions: 5961, maxExecutors: 7 };
  const parameters = sparkSizeParameters(sizing).join(' ');
  expect(parameters).toBe(
    '--conf spark.executor.cores=2 --conf spark.executor.memory=4g --conf spark.driver.cores=1 --conf spark.driver.memory=2g ' +
      '--conf spark.sql.shuffle.partitions=5961 --conf spark.dynamicAllocation.maxExecutors=7',
  );
  expect(sizingFromSparkParameters(parameters)).toEqual(sizing);
  expect(sparkSizeParameters().join(' ')).not.toContain('shuffle');
});
