/**
 * What `clicklogger doctor` checks, one check a function: each says what it found, or what is
 * wrong and how to fix it, and whether a deploy needs it. The offline checks need no
 * credentials; the account's need them, and say so rather than fail on their own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetBucketVersioningCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { AWS_PROVIDER_VERSION, findProviderMirror } from '../core/terraform-install';
import { localStateFile } from '../stacks/backend';
import type { ClickloggerConfig } from '../stacks/config';
import { stackName } from '../stacks/naming';
import { describeError, UserError } from '../core/errors';
import { type CallerIdentity, callerIdentity, credentialsProblem, CREDENTIALS_FIX } from './credentials';
import { httpStatusOf, s3Client } from './cloud';
import { loadOutputs } from './stack-outputs';

export interface Check {
  readonly ok: boolean;
  /** What was found, or what is wrong, with the fix. */
  readonly text: string;
  /** A failed check that a deploy needs makes `doctor` exit 1; the others only inform. */
  readonly deployNeeds: boolean;
}

const pass = (text: string, deployNeeds = true): Check => ({ ok: true, text, deployNeeds });
const fail = (text: string, deployNeeds = true): Check => ({ ok: false, text, deployNeeds });

/** The Node the project runs on: the engines of package.json (Node 22, the Lambda runtime's). */
export function nodeCheck(version = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  return major === 22
    ? pass(`Node ${version}`)
    : fail(
        `Node ${version}: the project runs on Node 22; run it through npm (\`npx clicklogger\`, \`npm start\`), which uses the Node 22 that \`npm ci\` installed`,
      );
}

/** Terraform 1.10 or later: S3's own state lock file needs it. */
export function terraformCheck(version: string | undefined): Check {
  if (version === undefined)
    return fail(
      'Terraform: not found on the PATH; install 1.10 or later (https://developer.hashicorp.com/terraform/install)',
    );
  const [major, minor] = version.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 10)
    ? pass(`Terraform ${version}`)
    : fail(
        `Terraform ${version}: install 1.10 or later, which S3 state locking needs (or bootstrap with --lock dynamodb)`,
      );
}

export function providerCheck(): Check {
  const mirror = findProviderMirror();
  return pass(
    mirror
      ? `AWS provider ${AWS_PROVIDER_VERSION}: in the filesystem mirror ${mirror}, so \`terraform init\` needs no network`
      : `AWS provider ${AWS_PROVIDER_VERSION}: \`terraform init\` downloads it from registry.terraform.io`,
  );
}

/** Java and the project's Python environment: only the local Spark engine needs them. */
export function sparkCheck(problem: string | undefined): Check {
  return problem === undefined
    ? pass("Java 17 and the project's Python environment, for `--engine spark`", false)
    : fail(`${problem} (only \`--engine spark\` needs it)`, false);
}

export function regionCheck(config: ClickloggerConfig, env: NodeJS.ProcessEnv = process.env): Check {
  const other = env.AWS_REGION && env.AWS_REGION !== config.region;
  return pass(
    `region ${config.region} (the stack's \`region\` setting${other ? `; AWS_REGION=${env.AWS_REGION} is not where the stack deploys` : ''})`,
  );
}

/** Whose credentials resolve here, asked of STS; undefined identity when there are none. */
export async function credentialsCheck(region: string): Promise<{ check: Check; identity?: CallerIdentity }> {
  const problem = await credentialsProblem(region);
  if (problem !== undefined) return { check: fail(`credentials: ${problem}`) };
  try {
    const identity = await callerIdentity(region);
    return { check: pass(`credentials: account ${identity.account} (${identity.arn})`), identity };
  } catch (error) {
    return { check: fail(`credentials: STS refused them (${describeError(error)}): ${CREDENTIALS_FIX}`) };
  }
}

const NEEDS_CREDENTIALS = 'not checked without credentials';

export async function backendCheck(config: ClickloggerConfig, stage: string, hasCredentials: boolean): Promise<Check> {
  const stack = stackName(config.appPrefix, stage);
  const backend = config.backend;
  switch (backend.kind) {
    case 'local':
      return pass(
        `state: a local file, ${localStateFile(stack)} in this folder; keep it with the clone, or run \`clicklogger bootstrap\` for state in S3 (a team, CI)`,
      );
    case 'cloud': {
      const token =
        process.env.TF_TOKEN_app_terraform_io ||
        fs.existsSync(path.join(os.homedir(), '.terraform.d', 'credentials.tfrc.json'));
      return token
        ? pass(
            `state: Terraform Cloud, organization ${backend.organization}, workspace ${backend.workspacePrefix}${stack}`,
          )
        : fail(`state: Terraform Cloud, but no token: run \`terraform login\` or set TF_TOKEN_app_terraform_io`);
    }
    case 's3': {
      const where = `s3://${backend.bucket}/${backend.keyPrefix}/${stack}.tfstate`;
      if (!hasCredentials) return fail(`state: ${where}, ${NEEDS_CREDENTIALS}`);
      const s3 = s3Client({ region: backend.region ?? config.region });
      try {
        await s3.send(new HeadBucketCommand({ Bucket: backend.bucket }));
        const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: backend.bucket }));
        const lock = backend.dynamodbTable ? `DynamoDB table ${backend.dynamodbTable}` : "S3's lock file";
        return versioning.Status === 'Enabled'
          ? pass(`state: ${where}, versioned, locked with ${lock}`)
          : fail(
              `state: ${where}: the bucket is not versioned, so a bad apply cannot be undone; run \`clicklogger bootstrap\``,
            );
      } catch (error) {
        const status = httpStatusOf(error);
        const why = status === 404 ? 'the bucket does not exist' : describeError(error);
        return fail(`state: ${where}: ${why}; run \`clicklogger bootstrap --stage ${stage}\` to make it`);
      } finally {
        s3.destroy();
      }
    }
  }
}

/** Whether the stage is deployed, read from its outputs as `send`, `run` and `report` read them. */
export function deployedCheck(config: ClickloggerConfig, stage: string): Check {
  const stack = stackName(config.appPrefix, stage);
  try {
    const outputs = loadOutputs({ stage, prefix: config.appPrefix }, ['ingest_function_name', 'state_machine_arn']);
    return pass(`${stack}: deployed in ${outputs.region || config.region}; its outputs are readable`, false);
  } catch (error) {
    const why =
      error instanceof UserError ? error.message.replace(/^no outputs for [^:]+: /, '') : describeError(error);
    return fail(`${stack}: not deployed, or its outputs cannot be read: ${why}`, false);
  }
}
