/**
 * How big the daily Spark job is at a given volume: its workers, how many executors the EMR
 * application's limits let it have, its shuffle, and how long it runs. The stack takes the
 * job's SparkSubmitParameters from here, and the cost model its bill, so the two cannot
 * disagree. What no setting says (how well Parquet compresses, how many bytes a click takes in
 * the shuffle, how fast an executor reads) is an assumption, named in SIZING.
 */
import { sparkSetting } from './spark-settings';

export interface Worker {
  readonly cores: number;
  readonly memoryGb: number;
}

/** The job's driver and each executor (EMR Serverless workers: 1, 2, 4, 8 or 16 vCPU). */
export const JOB_WORKERS: { readonly driver: Worker; readonly executor: Worker } = {
  driver: { cores: 1, memoryGb: 2 },
  executor: { cores: 2, memoryGb: 4 },
};

export const SIZING = {
  /** Parquet (SNAPPY) bytes per byte of click JSON. */
  parquetRatio: 0.15,
  /** Bytes a click takes in the dedup's shuffle: its seven columns as Spark's rows hold them. */
  shuffleBytesPerClick: 200,
  /** The shuffle partition the job aims at: adaptive execution coalesces smaller ones. */
  shufflePartitionBytes: 128 * 1024 ** 2,
  /** Spark's input split (spark.sql.files.maxPartitionBytes) and what it counts per file opened. */
  inputPartitionBytes: 128 * 1024 ** 2,
  fileOpenBytes: 4 * 1024 ** 2,
  /** The job's fixed minutes: start-up, listing, writing the reports. */
  jobBaseMinutes: 3,
  /**
   * Clicks an executor (2 vCPU) takes through the whole report a second: the dedup, the counts,
   * visits and funnels. An assumption: local Spark on 2 cores took the counts alone at about
   * 420,000 a second (10M in 23.75 s, BENCHMARKS.md); what the visit queries add on Spark is
   * not measured yet.
   */
  clicksPerExecutorSecond: 150_000,
  /** One executor per this many GB of Parquet read (at least one). */
  parquetGbPerExecutor: 4,
  /**
   * The share of a day's clicks that arrives on each later day of the late-data window (a
   * phone that was offline). A late day with one late click is read again whole.
   */
  lateClickShare: 0.001,
} as const;

const BYTES_PER_GB = 1024 ** 3;

/** A load the application's limits (or the stack's other limits) cannot carry; the message names the limit. */
export class UnsupportedLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedLoadError';
  }
}

/**
 * The GB that EMR Serverless bills a worker of `memoryGb`: Spark adds a memory overhead of 10 %,
 * at least 384 MiB, and a worker's memory is a whole number of GB.
 */
export function workerMemoryGb(memoryGb: number): number {
  return Math.ceil(memoryGb + Math.max(384 / 1024, memoryGb / 10));
}

/** The application's maximum capacity, as its config says it (`16 vCPU`, `64 GB`). */
export interface Capacity {
  readonly vcpu: number;
  readonly memoryGb: number;
}

export function parseCapacity(maxCpu: string, maxMemory: string): Capacity {
  const vcpu = /^\s*(\d+(?:\.\d+)?)\s*vCPU\s*$/i.exec(maxCpu)?.[1];
  const memory = /^\s*(\d+(?:\.\d+)?)\s*GB\s*$/i.exec(maxMemory)?.[1];
  if (vcpu === undefined)
    throw new UnsupportedLoadError(`emr.maxCpu "${maxCpu}" is not a number of vCPU (such as 16 vCPU)`);
  if (memory === undefined)
    throw new UnsupportedLoadError(`emr.maxMemory "${maxMemory}" is not a number of GB (such as 64 GB)`);
  return { vcpu: Number(vcpu), memoryGb: Number(memory) };
}

/** The most executors the application runs beside the driver, by vCPU and by memory. */
export function maxExecutors(capacity: Capacity, workers = JOB_WORKERS): number {
  const { driver, executor } = workers;
  const byCpu = Math.floor((capacity.vcpu - driver.cores) / executor.cores);
  const byMemory = Math.floor(
    (capacity.memoryGb - workerMemoryGb(driver.memoryGb)) / workerMemoryGb(executor.memoryGb),
  );
  return Math.max(0, Math.min(byCpu, byMemory));
}

/** The late days a run reads again, on average: each of `lateDays` that got at least one late click. */
export function lateDaysReadAgain(clicksPerDay: number, lateDays: number): number {
  return lateDays * (1 - Math.exp(-clicksPerDay * SIZING.lateClickShare));
}

export interface JobSize {
  /** Days of Parquet a run reads: its day, and the late days it reads again. */
  readonly daysRead: number;
  readonly parquetGbRead: number;
  readonly inputPartitions: number;
  readonly shufflePartitions: number;
  /** Executors the data asks for, and those the application's limits allow. */
  readonly executorsWanted: number;
  readonly executors: number;
  readonly vcpu: number;
  readonly memoryGb: number;
  readonly minutes: number;
}

export interface DayLoad {
  readonly clicksPerDay: number;
  readonly bytesPerClick: number;
  readonly lateDays: number;
  /** Files a day's partition holds (Firehose's objects). */
  readonly filesPerDay: number;
}

/**
 * The job a day of `load` makes under `capacity`. Executors beyond the limits are not granted:
 * the job then runs longer. Throws UnsupportedLoadError, naming the limit, when
 * the application cannot run the driver and one executor.
 */
export function jobSize(load: DayLoad, capacity: Capacity, workers = JOB_WORKERS): JobSize {
  const allowed = maxExecutors(capacity, workers);
  if (allowed < 1) {
    throw new UnsupportedLoadError(
      `emr.maxCpu ${capacity.vcpu} vCPU and emr.maxMemory ${capacity.memoryGb} GB cannot run the job's driver ` +
        `(${workers.driver.cores} vCPU, ${workers.driver.memoryGb} GB) and one executor (${workers.executor.cores} vCPU, ${workers.executor.memoryGb} GB)`,
    );
  }
  const daysRead = 1 + lateDaysReadAgain(load.clicksPerDay, load.lateDays);
  const clicksRead = load.clicksPerDay * daysRead;
  const parquetBytes = clicksRead * load.bytesPerClick * SIZING.parquetRatio;
  const parquetGbRead = parquetBytes / BYTES_PER_GB;
  const executorsWanted = Math.max(1, Math.ceil(parquetGbRead / SIZING.parquetGbPerExecutor));
  const executors = Math.min(executorsWanted, allowed);
  const filesRead = Math.ceil(load.filesPerDay * daysRead);
  return {
    daysRead,
    parquetGbRead,
    inputPartitions: Math.max(
      1,
      Math.ceil((parquetBytes + filesRead * SIZING.fileOpenBytes) / SIZING.inputPartitionBytes),
    ),
    shufflePartitions: shufflePartitions(clicksRead),
    executorsWanted,
    executors,
    vcpu: workers.driver.cores + executors * workers.executor.cores,
    memoryGb: workerMemoryGb(workers.driver.memoryGb) + executors * workerMemoryGb(workers.executor.memoryGb),
    minutes: SIZING.jobBaseMinutes + clicksRead / (executors * SIZING.clicksPerExecutorSecond * 60),
  };
}

/** Shuffle partitions for a run that reads `clicks`: SIZING.shufflePartitionBytes each, at least 1. */
export function shufflePartitions(clicks: number): number {
  return Math.max(1, Math.ceil((clicks * SIZING.shuffleBytesPerClick) / SIZING.shufflePartitionBytes));
}

/** The report job's shuffle and executor ceiling, as its SparkSubmitParameters carry them. */
export interface JobSizing {
  readonly shufflePartitions: number;
  readonly maxExecutors: number;
}

const SHUFFLE_SETTING = 'spark.sql.shuffle.partitions';
const MAX_EXECUTORS_SETTING = 'spark.dynamicAllocation.maxExecutors';

/**
 * The report job sized for a day of `clicksPerDay` (and the late days it reads again) under
 * `capacity`: adaptive execution coalesces the shuffle of a smaller day, so sizing for the
 * busiest day costs a small one little.
 */
export function jobSizing(clicksPerDay: number, lateDays: number, capacity: Capacity): JobSizing {
  const clicksRead = clicksPerDay * (1 + lateDaysReadAgain(clicksPerDay, lateDays));
  return { shufflePartitions: shufflePartitions(clicksRead), maxExecutors: maxExecutors(capacity) };
}

/** The job's workers, and for the report job its sizing, as SparkSubmitParameters. */
export function sparkSizeParameters(sizing?: JobSizing, workers = JOB_WORKERS): string[] {
  const { driver, executor } = workers;
  return [
    `--conf spark.executor.cores=${executor.cores} --conf spark.executor.memory=${executor.memoryGb}g`,
    `--conf spark.driver.cores=${driver.cores} --conf spark.driver.memory=${driver.memoryGb}g`,
    ...(sizing
      ? [`--conf ${SHUFFLE_SETTING}=${sizing.shufflePartitions} --conf ${MAX_EXECUTORS_SETTING}=${sizing.maxExecutors}`]
      : []),
  ];
}

/** The sizing a report job's SparkSubmitParameters carry (the local run reads it back). */
export function sizingFromSparkParameters(parameters: string): JobSizing {
  const setting = (name: string) => {
    const value = sparkSetting(parameters, name);
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`the job's SparkSubmitParameters set no ${name}`);
    return Number(value);
  };
  return { shufflePartitions: setting(SHUFFLE_SETTING), maxExecutors: setting(MAX_EXECUTORS_SETTING) };
}
