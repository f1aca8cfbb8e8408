/**
 * `clicklogger erase --stage S`: one person's clicks out of a deployed stage's raw data. The
 * person goes on the suppression list in the output bucket first (ingestion drops their later
 * clicks), then the erase state machine runs the report job's erase mode on EMR Serverless
 * (spark/report_erase.py), then the report state machine reports the days it changed. The
 * job's erasure-log record is the proof: it scanned the range again and found none left.
 *
 * Only the pseudonym reaches the job, the executions and the log, unless the stage stores users
 * as sent (`user: keep`), where the stored value is the name itself.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ERASURE } from '../core/contracts';
import { parseSuppressionList, withSuppressed } from '../core/suppression-list';
import { loadPseudonymKey } from '../functions/ingest/pseudonym-key';
import type { EraseInput } from '../stacks/erase-definition';
import { type DateRange, erasureSubject, type ErasureRecord, pendingDaysIn } from '../core/erasure';
import { clientConfig, type CloudOptions, s3Client } from './cloud';
import { CliError } from './errors';
import type { Io } from './io';
import { daysOf } from './local-run';
import { plural } from '../core/plural';
import { confirmed, type ErasePerson, rangeText } from './erase-plan';
import { followExecution, startReport } from './run-command';
import { deployedStage } from './stage-access';

async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    return await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

async function suppressOnStage(s3: S3Client, bucket: string, pseudonym: string): Promise<void> {
  const text = await readText(s3, bucket, ERASURE.suppressionList);
  const ids = text === undefined ? [] : parseSuppressionList(text, `s3://${bucket}/${ERASURE.suppressionList}`);
  if (ids.includes(pseudonym)) return;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: ERASURE.suppressionList,
      Body: withSuppressed(ids, pseudonym),
      ContentType: 'application/json',
    }),
  );
}

/** The keys of the person's erasure-log records. */
async function recordKeys(s3: S3Client, bucket: string, pseudonym: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: ERASURE.logPrefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) if (Key?.endsWith(`-${pseudonym}.json`)) keys.push(Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function eraseOnStage(
  person: ErasePerson,
  range: DateRange,
  target: { stage: string; yes: boolean },
  io: Io,
  options: CloudOptions = {},
): Promise<number> {
  const outputs = await deployedStage(target.stage, [
    'erase_state_machine_arn',
    'state_machine_arn',
    'output_bucket',
    'raw_bucket',
    'pseudonym_key_parameter',
  ]);
  const key = await loadPseudonymKey(new SSMClient(clientConfig(outputs)), outputs.pseudonym_key_parameter);
  const { pseudonym } = erasureSubject(person.kind, person.value, key);
  const within = rangeText(range);
  const plan = `remove every click of ${pseudonym} from s3://${outputs.raw_bucket}${within}`;
  io.out(`erase: will ${plan} on EMR Serverless, then report the days they were on again`);
  if (!target.yes && !(await confirmed(io, `${plan}?`))) {
    io.out('erase: nothing removed');
    return 1;
  }
  const s3 = s3Client(outputs);
  const bucket = outputs.output_bucket;
  // Before the rewrite: ingestion drops their clicks from here on (a warm function within a minute).
  await suppressOnStage(s3, bucket, pseudonym);
  io.out(`erase: ${pseudonym} is on the suppression list s3://${bucket}/${ERASURE.suppressionList}`);

  const input: EraseInput = {
    JobName: `clicklogger-erase-${pseudonym}`,
    Column: person.kind,
    Pseudonym: pseudonym,
    // A stage that pseudonymizes stores no name: the job gets the pseudonym, never the name.
    Value: person.kind === 'user' && outputs.user_mode !== 'keep' ? pseudonym : person.value,
    From: range.from ?? ERASURE.noDate,
    To: range.to ?? ERASURE.noDate,
  };
  const sfn = new SFNClient(clientConfig(outputs));
  const now = options.now?.() ?? new Date();
  const earlier = new Set(await recordKeys(s3, bucket, pseudonym));
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: outputs.erase_state_machine_arn,
      name: `erase-${pseudonym}-${now.getTime()}`,
      input: JSON.stringify(input),
    }),
  );
  if (!executionArn) throw new CliError('StartExecution of the erase returned no execution ARN');
  io.out(`started ${executionArn}`);
  await followExecution(sfn, outputs, executionArn, io, options);

  // The days the job changed (and any an earlier, stopped erase left): reported again, then cleared.
  const pendingText = await readText(s3, bucket, ERASURE.pending);
  const days = pendingText ? pendingDaysIn(pendingText) : [];
  if (days.length > 0) {
    io.out(`erase: reporting ${daysOf(days)} again`);
    const reportArn = await startReport(sfn, outputs, { InputDates: days }, now);
    io.out(`started ${reportArn}`);
    await followExecution(sfn, outputs, reportArn, io, options);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: ERASURE.pending }));
  }
  // This erase's record: the job writes one when it found clicks.
  const fresh = (await recordKeys(s3, bucket, pseudonym)).filter((k) => !earlier.has(k)).at(-1);
  const text = fresh && (await readText(s3, bucket, fresh));
  const record = text ? (JSON.parse(text) as ErasureRecord) : undefined;
  if (!record) {
    io.out(`erase: the job found no clicks of ${pseudonym}${within}; nothing was removed`);
    return 0;
  }
  if (record.left !== 0) throw new CliError(`erase: ${plural(record.left, 'click')} of ${pseudonym} are still stored`);
  io.out(
    `erase: removed ${plural(record.rows, 'click')} of ${pseudonym} from ${plural(record.files.length, 'file')}` +
      `${record.days.length > 0 ? ` on ${daysOf(record.days)}` : ''}; the job's scan finds none left`,
  );
  return 0;
}
