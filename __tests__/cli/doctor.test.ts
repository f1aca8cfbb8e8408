import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetBucketVersioningCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { backendCheck, nodeCheck, sparkCheck, terraformCheck } from '../../cli/doctor-checks';
import { main } from '../../cli/main';
import { parseConfig } from '../../stacks/config';
import { captureIo } from '../support/io';

const s3 = mockClient(S3Client);
const saved = { ...process.env };
let work: string;
beforeEach(() => {
  s3.reset();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-doctor-'));
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(work, { recursive: true, force: true });
});

const s3Config = parseConfig({ backend: { kind: 's3', bucket: 'acme-state' } });
const notFound = Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

describe('each check says what it found, or the fix', () => {
  it('Node: 22, the Lambda runtime', () => {
    expect(nodeCheck('22.23.3')).toMatchObject({ ok: true, deployNeeds: true });
    expect(nodeCheck('20.20.2')).toMatchObject({ ok: false, text: expect.stringContaining('npx clicklogger') });
  });

  it('Terraform: present, and 1.10 or later', () => {
    expect(terraformCheck(undefined)).toMatchObject({ ok: false, text: expect.stringContaining('install 1.10') });
    expect(terraformCheck('1.9.8')).toMatchObject({ ok: false, text: expect.stringContaining('--lock dynamodb') });
    expect(terraformCheck('1.11.4')).toMatchObject({ ok: true });
    expect(terraformCheck('2.0.0')).toMatchObject({ ok: true });
  });

  it('Spark: a ✗ that a deploy does not need', () => {
    expect(sparkCheck('the Spark engine needs Java 17')).toMatchObject({ ok: false, deployNeeds: false });
  });

  it('state in S3: not checked without credentials; a missing or unversioned bucket names bootstrap', async () => {
    expect(await backendCheck(s3Config, 'dev', false)).toMatchObject({
      ok: false,
      text: expect.stringContaining('not checked without credentials'),
    });
    s3.on(HeadBucketCommand).rejects(notFound);
    const missing = await backendCheck(s3Config, 'dev', true);
    expect(missing.text).toMatch(/the bucket does not exist; run `clicklogger bootstrap --stage dev`/);
    s3.reset();
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketVersioningCommand).resolves({});
    expect((await backendCheck(s3Config, 'dev', true)).text).toMatch(/not versioned/);
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    expect(await backendCheck(s3Config, 'dev', true)).toMatchObject({
      ok: true,
      text: "state: s3://acme-state/clicklogger/clicklogger-dev.tfstate, versioned, locked with S3's lock file",
    });
  });

  it('Terraform Cloud: a token, or `terraform login`', async () => {
    process.env.HOME = work;
    delete process.env.TF_TOKEN_app_terraform_io;
    const cloud = parseConfig({ backend: { kind: 'cloud', organization: 'acme' } });
    expect((await backendCheck(cloud, 'dev', false)).text).toContain('terraform login');
    process.env.TF_TOKEN_app_terraform_io = 'token';
    expect(await backendCheck(cloud, 'dev', false)).toMatchObject({ ok: true });
  });
});

it('doctor without credentials: a ✗ for them with the fix, the offline checks still run, exit 1', async () => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete process.env[name];
  process.env.AWS_CONFIG_FILE = path.join(work, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(work, 'no-credentials');
  const io = captureIo();
  expect(await main(['doctor'], io)).toBe(1);
  expect(io.stdout[0]).toMatch(/^[✓✗] Node /);
  expect(io.stdout).toContainEqual(expect.stringMatching(/^✗ credentials: no AWS credentials .*set AWS_PROFILE/));
  expect(io.stdout).toContainEqual(expect.stringMatching(/^✓ region us-east-1 /));
  expect(io.stdout.at(-1)).toMatch(/blocks? a deploy: fix the ✗ above/);
});

it('doctor refuses a stage that is not configured', async () => {
  const io = captureIo();
  await main(['doctor', '--stage', 'qa'], io);
  expect(io.stdout).toContainEqual(expect.stringMatching(/^✗ stage qa: not among the configured stages \(dev\)/));
});
