/**
 * The independent scan really scans: checkov (scripts/security-scan.ts) fails a stack with a
 * planted violation, and refuses a scan that read nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketAcl } from '@cdktf/provider-aws/lib/s3-bucket-acl';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { pythonEnvHas } from '../../local/emr/python-env';
import { runCheckov, scanProblem, synthesizeStack, synthesizeVariant } from '../../scripts/security-scan';
import { requireTool } from '../support/ci';

const ready = requireTool("checkov in the project's Python environment", pythonEnvHas('checkov'));
const scanIt = ready ? it : it.skip;

let work: string;
beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-scan-test-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

scanIt(
  'fails a throwaway stack with a public-read bucket and an admin policy',
  () => {
    const dir = synthesizeStack(path.join(work, 'planted'), (app) => {
      const stack = new TerraformStack(app, 'planted');
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const bucket = new S3Bucket(stack, 'open', { bucket: 'planted-open-bucket' });
      new S3BucketAcl(stack, 'open-acl', { bucket: bucket.id, acl: 'public-read' });
      new IamPolicy(stack, 'everything', {
        name: 'planted-admin',
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      });
      return stack;
    });
    const result = runCheckov(dir);
    const failed = new Set(result.failures.map((f) => f.id));
    expect(failed).toContain('CKV_AWS_20'); // public-read ACL
    expect(failed).toContain('CKV_AWS_62'); // full admin privileges
    expect(failed).toContain('CKV_AWS_63'); // "*" as an action
    expect(scanProblem({ ...result, passed: Math.max(result.passed, 1_000) })).toMatch(/failed checks/);
  },
  120_000,
);

scanIt(
  'passes the default stack with a realistic number of checks',
  () => {
    const result = runCheckov(synthesizeVariant(path.join(work, 'default'), {}));
    expect(scanProblem(result)).toBeUndefined();
    expect(result.passed).toBeGreaterThan(100);
  },
  120_000,
);

scanIt(
  'refuses a scan that read nothing',
  () => {
    const empty = fs.mkdtempSync(path.join(work, 'empty-'));
    expect(scanProblem(runCheckov(empty))).toMatch(/did not really read the stack/);
  },
  120_000,
);
