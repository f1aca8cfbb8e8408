/**
 * AWS credentials, checked before a command's first request: a command that drives a stage
 * fails once, in one line that says what to do, rather than once per request. The check
 * resolves the SDK's default chain (environment, profile, SSO cache, instance role) and makes
 * no call; `clicklogger doctor` also asks STS whose they are.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClientOptions } from '../core/aws-client-options';
import { CliError } from './errors';

export const CREDENTIALS_FIX =
  'set AWS_PROFILE to a profile of ~/.aws/config (run `aws sso login --profile <name>` first for an SSO profile), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

function stsClient(region: string | undefined): STSClient {
  return new STSClient({ ...awsClientOptions(), region: region || process.env.AWS_REGION || 'us-east-1' });
}

/** Why no credentials resolve here, with the fix; undefined when they do. */
export async function credentialsProblem(region?: string): Promise<string | undefined> {
  const sts = stsClient(region);
  try {
    await sts.config.credentials();
    return undefined;
  } catch (error) {
    return `no AWS credentials (${firstLine(error)}): ${CREDENTIALS_FIX}`;
  } finally {
    sts.destroy();
  }
}

/** Throws, in one line with the fix, when no credentials resolve for driving `stack`. */
export async function requireCredentials(stack: string, region?: string): Promise<void> {
  const problem = await credentialsProblem(region);
  if (problem !== undefined) throw new CliError(`cannot drive ${stack}: ${problem}`);
}

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/** Whose the credentials are (STS GetCallerIdentity, which needs no permission). */
export async function callerIdentity(region?: string): Promise<CallerIdentity> {
  const sts = stsClient(region);
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    return { account: answer.Account ?? '', arn: answer.Arn ?? '' };
  } finally {
    sts.destroy();
  }
}
