/**
 * What the commands that drive a deployed stack share: its outputs, client settings, dates and
 * report objects. Resource names come from the stack's outputs; the AWS SDK honours
 * AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>), so any endpoint works.
 */
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { awsClientOptions } from '../functions/shared/aws-client-options';
import { REPORT_FILES } from '../functions/shared/contracts';
import { describeError } from '../functions/shared/errors';
import { reportKeyPrefix } from '../functions/shared/report-date';
import { checkReportDate } from './dates';
import { CliError, usageError } from './errors';
import type { StackOutputs } from './stack-outputs';

export interface CloudOptions {
  /** Seconds between status checks of `run`. Default: 5. */
  readonly pollSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export const STAGE = { stage: { type: 'string', default: 'dev' } } as const;

export function clientConfig(outputs: StackOutputs) {
  return { ...awsClientOptions(), region: outputs.region || process.env.AWS_REGION };
}

/** An S3 client; path-style addressing against an emulator or another endpoint. */
export function s3Client(outputs: StackOutputs): S3Client {
  const custom = Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3);
  return new S3Client({ ...clientConfig(outputs), forcePathStyle: custom });
}

export function requireDate(value: string | undefined, usage: string): string {
  if (value === undefined) throw usageError(`--date is required (usage: ${usage})`);
  return checkReportDate(value);
}

export function reportKey(date: string): string {
  return `${reportKeyPrefix(date)}/${REPORT_FILES.markdown}`;
}

export async function fetchReport(outputs: StackOutputs, date: string): Promise<string> {
  const s3 = s3Client(outputs);
  const key = reportKey(date);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: outputs.output_bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') {
      throw new CliError(`no report for ${date} at s3://${outputs.output_bucket}/${key}`, { cause: error });
    }
    throw new CliError(`cannot read s3://${outputs.output_bucket}/${key}: ${describeError(error)}`, { cause: error });
  }
}
