/**
 * The cost model over the synthesized default stack: its items add up, packing keeps Firehose
 * near the clicks' own bytes, and the stack beats the seed's design by the margins the
 * README states.
 */
import { main } from '../../cli/main';
import { packRecords, encodeRecord } from '../../functions/ingest/batches';
import { ASSUMPTIONS, DEFAULT_LOAD, estimateCost, seedCost, stackFacts, workerMemoryGb } from '../../cost/cost-model';
import { BYTES_PER_GB, DAYS_PER_MONTH, firehoseBilledBytes, PRICES } from '../../cost/prices';
import { captureIo } from '../support/io';
import { synth } from '../support/synth';

const facts = stackFacts(synth());
const perMillion = (clicksPerDay: number, clicksPerRequest = 100) =>
  estimateCost(facts, { ...DEFAULT_LOAD, clicksPerDay, clicksPerRequest });
const firehosePerMillion = (clicksPerRequest: number) => {
  const estimate = perMillion(10_000_000, clicksPerRequest);
  const firehose = estimate.items.filter((i) => i.service === 'Firehose').reduce((n, i) => n + i.usd, 0);
  return firehose / ((estimate.clicksPerDay * 730) / 24 / 1e6);
};

it('reads the stack’s own settings', () => {
  expect(facts).toMatchObject({
    ingestMemoryMb: 512,
    ingestArm: true,
    bufferingMiB: 64,
    bufferingSeconds: 300,
    pollSeconds: 30,
    driver: { cores: 1, memoryGb: 2 },
    executor: { cores: 2, memoryGb: 4 },
    capacity: { vcpu: 16, memoryGb: 64 },
    sizing: { shufflePartitions: 5961, maxExecutors: 7 },
    emrArm: true,
  });
});

describe('the daily job at a billion clicks a day', () => {
  const emr = (estimate: ReturnType<typeof perMillion>) => estimate.items.find((i) => i.service === 'EMR Serverless')!;

  it('prices a job that the application’s limits allow, reading the late days again', () => {
    const basis = emr(perMillion(1_000_000_000)).basis;
    // 16 vCPU: the driver's 1 and 7 executors of 2; 64 GB: 3 + 7 × 5.
    expect(basis).toMatch(
      /^a \d+\.\d-minute job a day with 15 vCPU and 38 GB \(driver and 7 executors\), reading 4\.0 days of Parquet/,
    );
  });

  it('counts a late day read again only as often as late clicks make it likely', () => {
    const late = emr(perMillion(1_000_000)).usd;
    const none = emr(estimateCost({ ...facts, lateDays: 0 }, { ...DEFAULT_LOAD, clicksPerDay: 1_000_000 })).usd;
    expect(late).toBeGreaterThan(none);
    // At 300 clicks a day, each of the 3 late days has a late click about one day in four.
    expect(emr(perMillion(300)).basis).toContain('reading 1.8 days of Parquet');
  });

  it('refuses a day bigger than the shuffle the stack sized, naming the setting', () => {
    const small = { ...facts, sizing: { shufflePartitions: 10, maxExecutors: 7 } };
    expect(() => estimateCost(small, { ...DEFAULT_LOAD, clicksPerDay: 100_000_000 })).toThrow(
      /^a day of 100,000,000 clicks needs 597 shuffle partitions; the job is sized for 10 \(emr\.clicksPerDay\): raise emr\.clicksPerDay$/,
    );
  });
});

it('adds its items up to the monthly total, and divides it by the month’s clicks', () => {
  const estimate = perMillion(1_000_000);
  expect(estimate.items.reduce((n, i) => n + i.usd, 0)).toBe(estimate.monthlyUsd);
  expect(estimate.perMillionClicksUsd).toBeCloseTo(estimate.monthlyUsd / ((1_000_000 * 730) / 24 / 1e6), 10);
  expect(new Set(estimate.items.map((i) => i.service))).toEqual(
    new Set(['Lambda', 'Firehose', 'S3', 'EMR Serverless', 'Step Functions', 'CloudWatch']),
  );
  for (const item of estimate.items) expect(item.usd).toBeGreaterThanOrEqual(0);
});

it('is at least 5× cheaper per million clicks than the seed’s design at 1M clicks a day', () => {
  const estimate = perMillion(1_000_000);
  expect(estimate.seed.perMillionClicksUsd / estimate.perMillionClicksUsd).toBeGreaterThanOrEqual(5);
  expect(estimate.seed.monthlyUsd).toBe(seedCost({ ...DEFAULT_LOAD, clicksPerDay: 1_000_000 }));
});

it('costs at most $0.06 per million clicks at 10M a day, all in', () => {
  expect(perMillion(10_000_000).perMillionClicksUsd).toBeLessThanOrEqual(0.06);
});

it('prices Firehose at about $0.25 per million clicks without packing, and far less with it', () => {
  expect(firehosePerMillion(1)).toBeGreaterThan(0.2);
  expect(firehosePerMillion(1)).toBeLessThan(0.3);
  expect(firehosePerMillion(100)).toBeLessThan(firehosePerMillion(1) / 5);
});

it('rounds each record, not each call, up to 5 KB', () => {
  expect(firehoseBilledBytes(1)).toBe(5120);
  expect(firehoseBilledBytes(5120)).toBe(5120);
  expect(firehoseBilledBytes(5121)).toBe(10240);
  expect(PRICES.firehose.billingIncrementBytes).toBe(5120);
});

it('bills a mix of 1-, 10- and 1,000-click requests at most 1.5× their bytes once packed', () => {
  const click = (i: number) => ({
    requestid: `request-${i}`,
    contextid: `context-${i}`,
    callerid: 'OrderingApplication',
    component: 'checkout',
    action: 'show',
    type: 'webpage',
    user: 'GUEST',
    clientip: '203.0.113.7',
    createdtime: '2023-02-08T10:00:00.000Z',
  });
  let raw = 0;
  let billed = 0;
  let unpacked = 0;
  for (const size of [1, 10, 1000]) {
    const clicks = Array.from({ length: size }, (_, i) => encodeRecord(i, click(i)));
    raw += clicks.reduce((n, c) => n + c.bytes, 0);
    unpacked += clicks.reduce((n, c) => n + firehoseBilledBytes(c.bytes), 0);
    billed += packRecords(clicks).reduce((n, r) => n + firehoseBilledBytes(r.data.byteLength), 0);
  }
  expect(billed / raw).toBeLessThanOrEqual(1.5);
  expect(unpacked / raw).toBeGreaterThan(15);
});

describe('against the pricing pages', () => {
  const item = (clicksPerDay: number, basis: RegExp) => {
    const found = perMillion(clicksPerDay).items.filter((i) => basis.test(i.basis));
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('prices dynamic partitioning per GB delivered to S3 as Parquet, not per GB of JSON ingested', () => {
    const parquetGb = ((10_000_000 * 220 * ASSUMPTIONS.parquetRatio) / BYTES_PER_GB) * DAYS_PER_MONTH;
    expect(item(10_000_000, /^dynamic partitioning/).usd).toBeCloseTo(parquetGb * PRICES.firehose.partitioningGb, 9);
  });

  it('bills a worker its memory and Spark’s overhead (10 %, at least 384 MiB), rounded up to whole GB', () => {
    expect([workerMemoryGb(2), workerMemoryGb(4), workerMemoryGb(1), workerMemoryGb(16)]).toEqual([3, 5, 2, 18]);
    expect(item(1_000_000, /-minute job a day/).basis).toMatch(/ with 3 vCPU and 8 GB /);
  });

  it('counts the three report files the job writes a day, and PlanDates’ LIST and GET requests', () => {
    expect(item(1_000_000, /PUTs/).basis).toMatch(/three report files a day/);
    // Each daily run lists the 4 partitions of the late-data window (lateDays 3) and reads their reports.
    const reads = item(1_000_000, /LISTs and .* GETs/);
    expect(reads.basis).toMatch(/^122 LISTs and 122 GETs a month \(PlanDates: 4 partitions and their reports a run\)$/);
    expect(reads.usd).toBeCloseTo(((4 * DAYS_PER_MONTH) / 1000) * (PRICES.s3.per1000Puts + PRICES.s3.per1000Gets), 9);
  });

  it.each([
    [{ bytesPerClick: 1000 * 1024 + 1 }, /^a click of 1024001 bytes is over Firehose's record limit of 1024000 bytes$/],
    [
      { bytesPerClick: 70_000, clicksPerRequest: 100 },
      /^a request of 100 clicks of 70000 bytes is 7000000 bytes, over the Lambda payload limit of 6291456 bytes$/,
    ],
    [
      { clicksPerDay: 5_000_000_000 },
      /^the daily job would run about \d+ minutes with the 7 executors that emr\.maxCpu 16 vCPU and emr\.maxMemory 64 GB allow \(it would use \d+\), over the stack's job timeout of 120 minutes \(emr\.jobTimeoutMinutes\)$/,
    ],
  ])('refuses a load the stack cannot carry, naming the limit: %j', (load, message) => {
    expect(() => estimateCost(facts, { ...DEFAULT_LOAD, ...load })).toThrow(message);
  });
});

describe('clicklogger cost', () => {
  it('prints the bill by service, per million clicks, and the seed’s', async () => {
    const io = captureIo();
    expect(await main(['cost', '--clicks-per-day', '10000000'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^clicklogger-dev: idle cost \$0\.00\/month/);
    expect(io.stdout.find((l) => l.startsWith('clicklogger-dev at '))).toMatch(
      /^clicklogger-dev at 10,000,000 clicks a day \(220 bytes each, 100 a request\): \$\d+\.\d\d\/month, \$0\.0\d{3} per million clicks$/,
    );
    expect(io.stdout.some((l) => /^ {2}Firehose +\$\d+\.\d{4} {2}ingestion: /.test(l))).toBe(true);
    expect(io.stdout.at(-1)).toMatch(
      /^the seed's design at the same load: \$\d+\.\d\d\/month, \$\d+\.\d{4} per million/,
    );
  });

  it('prices a billion clicks a day with the executors the application allows, and refuses more than the job is sized for', async () => {
    const io = captureIo();
    expect(await main(['cost', '--clicks-per-day', '1000000000'], io)).toBe(0);
    expect(io.stdout.find((l) => l.includes('EMR Serverless'))).toMatch(
      /15 vCPU and 38 GB \(driver and 7 executors\), reading 4\.0 days of Parquet/,
    );
    const over = captureIo();
    expect(await main(['cost', '--clicks-per-day', '2000000000'], over)).toBe(2);
    expect(over.stderr.join('\n')).toMatch(/cannot carry this load: .*emr\.(jobTimeoutMinutes|clicksPerDay)/);
  });

  it('prints JSON whose items add up to its monthly total', async () => {
    const io = captureIo();
    expect(await main(['cost', '--json', '--clicks-per-day', '1000000', '--clicks-per-request', '100'], io)).toBe(0);
    const json = JSON.parse(io.stdout.join('\n')) as {
      clicksPerDay: number;
      monthlyUsd: number;
      perMillionClicksUsd: number;
      items: { service: string; usd: number; basis: string }[];
      seed: { monthlyUsd: number; perMillionClicksUsd: number };
    };
    expect(Object.keys(json).sort()).toEqual(['clicksPerDay', 'items', 'monthlyUsd', 'perMillionClicksUsd', 'seed']);
    expect(json.clicksPerDay).toBe(1_000_000);
    expect(json.items.reduce((n, i) => n + i.usd, 0)).toBeCloseTo(json.monthlyUsd, 9);
    expect(Object.keys(json.items[0]).sort()).toEqual(['basis', 'service', 'usd']);
    expect(Object.keys(json.seed).sort()).toEqual(['monthlyUsd', 'perMillionClicksUsd']);
  });

  it('refuses a negative number as a plain range error', async () => {
    const io = captureIo();
    expect(await main(['cost', '--clicks-per-day', '-5'], io)).toBe(2);
    expect(io.stderr).toEqual([
      'clicklogger: --clicks-per-day must be a whole number from 1 to 1000000000000, got "-5"',
    ]);
  });

  it('refuses a load the stack cannot carry in one line, exit 2', async () => {
    const io = captureIo();
    expect(await main(['cost', '--bytes-per-click', '1024000', '--clicks-per-request', '10'], io)).toBe(2);
    expect(io.stderr).toEqual([
      expect.stringMatching(
        /^clicklogger: clicklogger-dev cannot carry this load: a request of 10 clicks .* Lambda payload limit/,
      ),
    ]);
  });

  it.each([
    [['--clicks-per-day', '0'], '--clicks-per-day must be a whole number from 1 to 1000000000000, got "0"'],
    [['--clicks-per-request', '1.5'], '--clicks-per-request must be a whole number from 1 to 100000, got "1.5"'],
    [['--bytes-per-click', 'many'], '--bytes-per-click must be a whole number from 50 to 1024000, got "many"'],
  ])('refuses %j in one line', async (args, message) => {
    const io = captureIo();
    expect(await main(['cost', ...args], io)).toBe(2);
    expect(io.stderr).toEqual([`clicklogger: ${message}`]);
  });
});

describe('with the public collector', () => {
  const publicFacts = stackFacts(synth({ collector: 'public', collectorOrigins: ['https://shop.example.com'] }));

  it('adds the HTTP API’s requests and its access logs, and nothing without it', () => {
    expect(facts.publicCollector).toBe(false);
    expect(publicFacts.publicCollector).toBe(true);
    const load = { clicksPerDay: 1_000_000, bytesPerClick: 220, clicksPerRequest: 20 };
    const plain = estimateCost(facts, load);
    const viaApi = estimateCost(publicFacts, load);
    const requestsPerMonth = (1_000_000 * DAYS_PER_MONTH) / 20;
    const api = viaApi.items.filter((i) => i.service === 'API Gateway');
    expect(api).toEqual([
      expect.objectContaining({ usd: (requestsPerMonth / 1e6) * PRICES.httpApi.perMillionRequests }),
    ]);
    expect(plain.items.some((i) => i.service === 'API Gateway')).toBe(false);
    const accessLogs = (requestsPerMonth * ASSUMPTIONS.accessLogBytesPerRequest) / BYTES_PER_GB;
    // Beside them: its two alarms, and its throttled-request count (a custom metric).
    expect(publicFacts.customMetrics - facts.customMetrics).toBe(1);
    expect(viaApi.monthlyUsd - plain.monthlyUsd).toBeCloseTo(
      api[0].usd +
        accessLogs * (PRICES.logsIngestionGb + PRICES.logsStorageGbMonth) +
        2 * PRICES.alarmMonth +
        PRICES.customMetricMonth,
      10,
    );
  });

  it('prices requests beyond 300 million a month at the lower rate', () => {
    const load = { clicksPerDay: 200_000_000, bytesPerClick: 220, clicksPerRequest: 20 };
    const millions = (200_000_000 * DAYS_PER_MONTH) / 20 / 1e6;
    const api = estimateCost(publicFacts, load).items.find((i) => i.service === 'API Gateway')!;
    expect(api.usd).toBeCloseTo(300 * 1.0 + (millions - 300) * 0.9, 6);
  });

  it('refuses requests bigger than the public route takes', () => {
    expect(() => estimateCost(publicFacts, { ...DEFAULT_LOAD, clicksPerRequest: 201 })).toThrow(
      'a request of 201 clicks is over the 200 clicks a request that the public collector takes',
    );
    expect(() => estimateCost(publicFacts, { ...DEFAULT_LOAD, clicksPerRequest: 100, bytesPerClick: 1_000 })).toThrow(
      "over the public collector's body limit of 65536 bytes",
    );
    expect(() => estimateCost(facts, { ...DEFAULT_LOAD, clicksPerRequest: 201 })).not.toThrow();
  });
});

it('writes numbers one way: thousands grouped, dollars to the cent, words in the singular for one', async () => {
  const io = captureIo();
  expect(await main(['cost', '--clicks-per-day', '2000000'], io)).toBe(0);
  const text = io.stdout.join('\n');
  expect(text).toContain('clicklogger-dev at 2,000,000 clicks a day');
  expect(text).toMatch(/plus \$2,380\.28\/month for 5 \+ 5 pre-initialized workers/);
  expect(text).toMatch(/ 1 dashboard \(within the free tier\)/);
  expect(text).not.toMatch(/\(s\)|\$\d{4,}\.|free tier not counted/);
});
