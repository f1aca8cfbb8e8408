/**
 * `clicklogger bootstrap`: makes the S3 bucket that keeps the stacks' Terraform state, as `cdk
 * bootstrap` does for the CDK: versioned (a bad apply can be undone), encrypted, public access
 * blocked, TLS only. Terraform 1.10+ locks the state with S3's own lock file; an older one
 * needs a DynamoDB table, which `--lock dynamodb` makes. Safe to run again: it checks and
 * re-applies the settings of what is already there. It prints the settings a deploy then needs.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import { awsClientOptions } from '../core/aws-client-options';
import { describeError } from '../core/errors';
import { terraformVersion } from '../core/terraform-install';
import { localStateFile } from '../stacks/backend';
import { stackName } from '../stacks/naming';
import { httpStatusOf, s3Client } from './cloud';
import { COMMAND_FLAGS } from './command-flags';
import { callerIdentity, requireCredentials } from './credentials';
import { CliError, usageError } from './errors';
import { parseFlags } from './flags';
import type { Io } from './io';
import { projectConfig } from './project-config';
import { BOOTSTRAP_USAGE } from './usage';

const LOCKS = ['file', 'dynamodb'] as const;
type Lock = (typeof LOCKS)[number];

/** S3's lock file needs Terraform 1.10; without a Terraform here, assume a current one. */
function defaultLock(version = terraformVersion()): Lock {
  if (version === undefined) return 'file';
  const [major, minor] = version.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 10) ? 'file' : 'dynamodb';
}

/** Whether the bucket was made now; an error names the bucket and what to do. */
async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<boolean> {
  // Asked first: in us-east-1, CreateBucket answers 200 for a bucket the caller already owns.
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 403)
      throw new CliError(`the bucket ${bucket} belongs to another account: choose a name with --bucket NAME`);
    if (status !== 404) throw new CliError(`cannot read the state bucket ${bucket}: ${describeError(error)}`);
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is S3's default location, and refuses to be named.
        CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof BucketAlreadyOwnedByYou) return false;
    if ((error as Error).name === 'BucketAlreadyExists')
      throw new CliError(`the bucket name ${bucket} is taken by another account: choose one with --bucket NAME`);
    throw new CliError(`cannot create the state bucket ${bucket}: ${describeError(error)}`, { cause: error });
  }
}

async function secureBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

/** The lock table Terraform before 1.10 needs: its key must be named LockID. */
async function ensureLockTable(table: string, region: string): Promise<boolean> {
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(), region });
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ResourceInUseException) return false;
    throw new CliError(`cannot create the lock table ${table}: ${describeError(error)}`, { cause: error });
  } finally {
    dynamodb.destroy();
  }
}

export async function bootstrapCommand(argv: string[], io: Io): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.bootstrap, BOOTSTRAP_USAGE);
  const lock = (values.lock ?? defaultLock()) as Lock;
  if (!LOCKS.includes(lock)) throw usageError(`--lock takes file or dynamodb, not "${lock}"`);
  const config = projectConfig();
  const stage = values.stage;
  const stack = stackName(config.appPrefix, stage);
  const region = config.region;
  await requireCredentials(stack, region);
  const { account } = await callerIdentity(region);
  const bucket = values.bucket ?? `${config.appPrefix}-tfstate-${account}-${region}`;

  const s3 = s3Client({ region });
  let created: boolean;
  try {
    created = await ensureBucket(s3, bucket, region);
    await secureBucket(s3, bucket);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot set up the state bucket ${bucket}: ${describeError(error)}`, { cause: error });
  } finally {
    s3.destroy();
  }
  io.out(
    `state bucket ${bucket} (account ${account}, ${region}): ${created ? 'created' : 'already there, settings re-applied'}`,
  );
  io.out('  versioned, encrypted (SSE-S3), public access blocked, TLS only');
  const table = `${config.appPrefix}-tfstate-lock`;
  if (lock === 'dynamodb') {
    const made = await ensureLockTable(table, region);
    io.out(`  locked with the DynamoDB table ${table} (${made ? 'created' : 'already there'})`);
  } else {
    io.out("  locked with S3's own lock file (Terraform 1.10 or later)");
  }
  io.out('use it: set these where you deploy (this shell, CI), or the same keys in cdktf.json (docs/deploy.md):');
  io.out('  export CLICKLOGGER_BACKEND=s3');
  io.out(`  export CLICKLOGGER_STATE_BUCKET=${bucket}`);
  io.out(`  export CLICKLOGGER_STATE_REGION=${region}`);
  if (lock === 'dynamodb') io.out(`  export CLICKLOGGER_STATE_LOCK_TABLE=${table}`);
  if (fs.existsSync(localStateFile(stack)))
    io.out(
      `${localStateFile(stack)} holds ${stack}'s state here: after the exports, run \`npx cdktf synth\`, then \`terraform -chdir=cdktf.out/stacks/${stack} init -migrate-state\` to move it`,
    );
  io.out(`then: npx cdktf deploy ${stack} --outputs-file cdktf-outputs.json`);
  return 0;
}
