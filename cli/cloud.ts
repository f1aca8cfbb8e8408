/**
 * What the commands that drive a deployed stack share: its outputs and client settings. Resource
 * names come from the stack's outputs; the AWS SDK honours AWS_ENDPOINT_URL (and
 * AWS_ENDPOINT_URL_<SERVICE>), so any endpoint works.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientOptions } from '../core/aws-client-options';
import type { StackOutputs } from './stack-outputs';

export interface CloudOptions {
  /** Seconds between status checks of `run`. Default: 5. */
  readonly pollSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export function clientConfig(outputs: Pick<StackOutputs, 'region'>) {
  return { ...awsClientOptions(), region: outputs.region || process.env.AWS_REGION };
}

/** An S3 client; path-style addressing against an emulator or another endpoint. */
export function s3Client(outputs: Pick<StackOutputs, 'region'>): S3Client {
  const custom = Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3);
  return new S3Client({ ...clientConfig(outputs), forcePathStyle: custom });
}

/** The HTTP status an AWS SDK error carries (404 for a bucket that is not there), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
