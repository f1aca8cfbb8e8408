/**
 * The date plan: what is asked for, always; and the late-data window's days whose partition no
 * longer holds what their report read. In memory, in folders (FolderInventory) and in S3
 * (S3Inventory, against aws-sdk-client-mock).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { inputDigest, partitionPrefix } from '../../core/contracts';
import { lateDaysFrom, planInS3 } from '../../functions/plan-dates/handler';
import {
  MAX_DATES_PER_RUN,
  planDates,
  readRecordOf,
  type ReportInventory,
  type ReportRead,
  reportJsonKey,
} from '../../functions/plan-dates/plan';
import { FolderInventory } from '../../local/stepfunctions/folder-inventory';

const now = new Date('2023-03-01T00:30:00Z');

/** Partitions and reports in memory: date → file names, date → what its report read. */
function inventory(
  partitions: Record<string, string[]> = {},
  reports: Record<string, ReportRead | 'unknown'> = {},
): ReportInventory {
  return {
    partitionFiles: (date) => Promise.resolve(partitions[date] ?? []),
    reportRead: (date) => Promise.resolve(reports[date] ?? 'none'),
  };
}
const readOf = (names: string[]): ReportRead => ({ files: names.length, digest: inputDigest(names) });
const plan = (input: Parameters<typeof planDates>[0], inv = inventory(), lateDays = 3) =>
  planDates(input, inv, { lateDays, now });

describe('the asked-for dates', () => {
  it('passes a valid InputDate through, and names the job run after it', async () => {
    expect(await plan({ InputDate: '2023-02-08' })).toEqual({
      InputDates: ['2023-02-08'],
      DatesArgument: '2023-02-08',
      JobName: 'clicklogger-report-2023-02-08',
      Reasons: { '2023-02-08': 'asked for' },
    });
  });

  it.each([[{}], [null], [{ InputDate: '' }], [{ InputDate: null }]])(
    'defaults %j to yesterday in UTC',
    async (input) => {
      expect((await plan(input)).InputDates).toEqual(['2023-02-28']);
    },
  );

  it('defaults to the day before the scheduled time, however late the run starts', async () => {
    const result = await planDates({ ScheduledTime: '2023-02-09T01:00:00Z' }, inventory(), {
      lateDays: 3,
      now: new Date('2023-02-10T00:30:00Z'),
    });
    expect(result.InputDates).toEqual(['2023-02-08']);
    expect(result.Reasons).toEqual({ '2023-02-08': 'the day before the schedule fired' });
  });

  it('takes a list, sorted and without repeats, and a From/To range with both ends', async () => {
    expect((await plan({ InputDates: ['2023-02-09', '2023-02-07', '2023-02-09'] })).DatesArgument).toBe(
      '2023-02-07,2023-02-09',
    );
    const range = await plan({ From: '2023-02-27', To: '2023-03-02' });
    expect(range.InputDates).toEqual(['2023-02-27', '2023-02-28', '2023-03-01', '2023-03-02']);
    expect(range.JobName).toBe('clicklogger-report-2023-02-27..2023-03-02');
  });

  it.each([
    [{ InputDate: '2023-02-*' }, 'InputDate must be a real date written YYYY-MM-DD'],
    [{ InputDate: '2023-02-0?' }, 'InputDate must be a real date written YYYY-MM-DD'],
    [{ InputDate: '{2023,2024}-02-08' }, 'InputDate must be a real date written YYYY-MM-DD'],
    [{ InputDate: '2023-02-30' }, 'InputDate must be a real date written YYYY-MM-DD'],
    [{ InputDate: '../2023-02-08' }, 'InputDate must be a real date written YYYY-MM-DD'],
    [{ InputDate: 20230208 }, 'InputDate must be a real date written YYYY-MM-DD'],
    [{ InputDates: [] }, `InputDates must be a list of 1 to ${MAX_DATES_PER_RUN} dates`],
    [{ InputDates: '2023-02-08' }, `InputDates must be a list of 1 to ${MAX_DATES_PER_RUN} dates`],
    [{ InputDates: ['2023-02-08', '2023-02-[01]9'] }, 'InputDates must be a real date written YYYY-MM-DD'],
    [{ From: '2023-02-08' }, 'To must be a real date written YYYY-MM-DD'],
    [{ From: '2023-02-09', To: '2023-02-08' }, 'From 2023-02-09 is after To 2023-02-08'],
    [{ From: '2022-01-01', To: '2023-12-31' }, 'From-To covers 730 days; one run reports at most 366'],
    [{ ScheduledTime: 'soon' }, 'ScheduledTime must be an ISO-8601 time'],
  ])('rejects %j with InvalidInputDate', async (input, message) => {
    await expect(plan(input)).rejects.toMatchObject({ name: 'InvalidInputDate', message });
  });
});

describe('the late-data window', () => {
  const D = '2023-02-08';
  const reported = { '2023-02-05': ['a'], '2023-02-06': ['b'], '2023-02-07': ['c', 'd'] };

  it('adds nothing while every report read what its partition holds', async () => {
    const inv = inventory(reported, {
      '2023-02-05': readOf(['a']),
      '2023-02-06': readOf(['b']),
      '2023-02-07': readOf(['c', 'd']),
    });
    expect((await plan({ InputDate: D }, inv)).InputDates).toEqual([D]);
  });

  it('re-reports a day whose partition gained a file, whatever the file’s time, and says why', async () => {
    const inv = inventory(
      { ...reported, '2023-02-06': ['b', 'late'] },
      { '2023-02-05': readOf(['a']), '2023-02-06': readOf(['b']), '2023-02-07': readOf(['c', 'd']) },
    );
    const result = await plan({ InputDate: D }, inv);
    expect(result.DatesArgument).toBe('2023-02-06,2023-02-08');
    expect(result.Reasons['2023-02-06']).toBe(
      'its partition holds 2 files, its report read 1 file: clicks arrived late',
    );
  });

  it('keeps the report of a day whose partition is empty now: its files expired, nothing came late', async () => {
    const inv = inventory(
      { ...reported, '2023-02-06': [] },
      { '2023-02-05': readOf(['a']), '2023-02-06': readOf(['b']), '2023-02-07': readOf(['c', 'd']) },
    );
    expect((await plan({ InputDate: D }, inv)).InputDates).toEqual([D]);
  });

  it('reports a day with clicks and no report, and one whose report does not say what it read', async () => {
    const inv = inventory(reported, { '2023-02-05': readOf(['a']), '2023-02-07': 'unknown' });
    const result = await plan({ InputDate: D }, inv);
    expect(result.Reasons).toEqual({
      '2023-02-06': 'never reported; its partition holds 1 file',
      '2023-02-07': 'its report does not say what it read',
      [D]: 'asked for',
    });
  });

  it('looks back lateDays days from the latest asked-for day, not before, and never with 0', async () => {
    const inv = inventory({ '2023-02-04': ['x'], ...reported });
    expect((await plan({ InputDate: D }, inv)).InputDates).toEqual(['2023-02-05', '2023-02-06', '2023-02-07', D]);
    expect((await plan({ InputDate: D }, inv, 1)).InputDates).toEqual(['2023-02-07', D]);
    expect((await plan({ InputDate: D }, inv, 0)).InputDates).toEqual([D]);
  });

  it('ignores names that are not data (_SUCCESS, hidden staging files), as the job does', async () => {
    const inv = inventory({ '2023-02-07': ['c', '_SUCCESS', '.c2.staged'] }, { '2023-02-07': readOf(['c']) });
    expect((await plan({ InputDate: D }, inv)).InputDates).toEqual([D]);
  });
});

it('reads what a report.json says it read, and nothing from one that does not say', () => {
  expect(readRecordOf('{"date":"x","read":{"files":2,"rows":9,"newest":null,"digest":"ab"}}')).toEqual({
    files: 2,
    digest: 'ab',
  });
  expect(readRecordOf('{"date":"x","rows":[]}')).toBe('unknown');
  expect(readRecordOf('not json')).toBe('unknown');
});

describe('FolderInventory', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-plan-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists a partition folder and reads report.json from the output folder', async () => {
    const raw = path.join(dir, 'raw');
    const out = path.join(dir, 'out');
    fs.mkdirSync(path.join(raw, partitionPrefix('2023-02-07')), { recursive: true });
    fs.writeFileSync(path.join(raw, partitionPrefix('2023-02-07'), 'one.parquet'), '');
    fs.mkdirSync(path.join(out, '2023/02/07'), { recursive: true });
    fs.writeFileSync(path.join(out, reportJsonKey('2023-02-07')), JSON.stringify({ read: readOf([]) }));
    const inv = new FolderInventory(raw, out);
    expect(await inv.partitionFiles('2023-02-07')).toEqual(['one.parquet']);
    expect(await inv.partitionFiles('2023-02-06')).toEqual([]);
    expect(await inv.reportRead('2023-02-06')).toBe('none');
    const result = await planDates({ InputDate: '2023-02-08' }, inv, { lateDays: 3 });
    expect(result.Reasons['2023-02-07']).toBe(
      'its partition holds 1 file, its report read 0 files: clicks arrived late',
    );
  });
});

describe('the plan-dates function in S3', () => {
  const s3 = mockClient(S3Client);
  const env = { RAW_BUCKET: 'raw', OUTPUT_BUCKET: 'out', LATE_DAYS: '2' };
  // The one method of a response body the inventory uses.
  const body = (text: string) => ({ transformToString: () => Promise.resolve(text) }) as never;
  beforeEach(() => s3.reset());

  it('lists each window day’s partition (every page) and reads its report', async () => {
    s3.on(ListObjectsV2Command, { Prefix: partitionPrefix('2023-02-07') })
      .resolvesOnce({
        Contents: [{ Key: `${partitionPrefix('2023-02-07')}a` }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolvesOnce({
        Contents: [{ Key: `${partitionPrefix('2023-02-07')}b` }, { Key: `${partitionPrefix('2023-02-07')}sub/c` }],
      });
    s3.on(ListObjectsV2Command, { Prefix: partitionPrefix('2023-02-06') }).resolves({});
    s3.on(GetObjectCommand, { Key: reportJsonKey('2023-02-07') }).resolves({
      Body: body(JSON.stringify({ read: readOf(['a']) })),
    });
    s3.on(GetObjectCommand, { Key: reportJsonKey('2023-02-06') }).rejects(
      new NoSuchKey({ message: 'missing', $metadata: {} }),
    );
    const result = await planInS3({ InputDate: '2023-02-08' }, s3, env);
    expect(result.Reasons).toEqual({
      '2023-02-07': 'its partition holds 2 files, its report read 1 file: clicks arrived late',
      '2023-02-08': 'asked for',
    });
    expect(
      s3.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Bucket, c.args[0].input.ContinuationToken]),
    ).toEqual(
      expect.arrayContaining([
        ['raw', undefined],
        ['raw', 't'],
      ]),
    );
    expect(s3.commandCalls(GetObjectCommand).every((c) => c.args[0].input.Bucket === 'out')).toBe(true);
  });

  it('turns throttling into PartitionListingUnavailable (retried), and AccessDenied into a plain failure', async () => {
    const throttled = new S3ServiceException({
      name: 'SlowDown',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
      message: 'Please reduce your request rate.',
    });
    s3.on(ListObjectsV2Command).rejects(throttled);
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'missing', $metadata: {} }));
    await expect(planInS3({ InputDate: '2023-02-08' }, s3 as unknown as S3Client, env)).rejects.toMatchObject({
      name: 'PartitionListingUnavailable',
    });
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    s3.on(ListObjectsV2Command).rejects(denied);
    await expect(planInS3({ InputDate: '2023-02-08' }, s3 as unknown as S3Client, env)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('gives up within its budget when S3 never answers', async () => {
    s3.on(ListObjectsV2Command).callsFake(
      (_input, getClient) =>
        new Promise((_resolve, reject) => {
          void getClient;
          // The mock ignores the abort signal; the plan's own budget must still end the call.
          setTimeout(() => reject(new Error('never')), 60_000).unref();
        }),
    );
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'missing', $metadata: {} }));
    await expect(planInS3({ InputDate: '2023-02-08' }, s3 as unknown as S3Client, env, 50)).rejects.toMatchObject({
      name: 'PartitionListingUnavailable',
    });
  });

  it('reads LATE_DAYS strictly', () => {
    expect(lateDaysFrom({ LATE_DAYS: '0' })).toBe(0);
    expect(() => lateDaysFrom({ LATE_DAYS: '3.5' })).toThrow(
      'LATE_DAYS must be a whole number from 0 to 31, got "3.5"',
    );
    expect(() => lateDaysFrom({ LATE_DAYS: '32' })).toThrow(/got "32"/);
    expect(() => lateDaysFrom({})).toThrow('Missing environment variable LATE_DAYS');
  });
});
