import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/main';
import { captureIo } from '../support/io';

const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);
const dynamodb = mockClient(DynamoDBClient);
const status = (code: number) => Object.assign(new Error(`HTTP ${code}`), { $metadata: { httpStatusCode: code } });

beforeEach(() => {
  s3.reset();
  dynamodb.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' });
});

it('makes the bucket, versioned, private and TLS only, and prints the settings to export', async () => {
  s3.on(HeadBucketCommand).rejects(status(404));
  s3.onAnyCommand().resolves({});
  s3.on(HeadBucketCommand).rejects(status(404));
  const io = captureIo();
  expect(await main(['bootstrap', '--lock', 'file'], io)).toBe(0);
  const bucket = 'clicklogger-tfstate-123456789012-us-east-1';
  expect(s3.commandCalls(CreateBucketCommand)[0].args[0].input).toEqual({ Bucket: bucket });
  expect(s3.commandCalls(PutBucketVersioningCommand)[0].args[0].input.VersioningConfiguration).toEqual({
    Status: 'Enabled',
  });
  expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);
  expect(s3.commandCalls(PutBucketPolicyCommand)[0].args[0].input.Policy).toContain('"aws:SecureTransport":"false"');
  expect(io.stdout).toEqual(
    expect.arrayContaining([
      `state bucket ${bucket} (account 123456789012, us-east-1): created`,
      '  export CLICKLOGGER_BACKEND=s3',
      `  export CLICKLOGGER_STATE_BUCKET=${bucket}`,
      '  export CLICKLOGGER_STATE_REGION=us-east-1',
      'then: npx cdktf deploy clicklogger-dev --outputs-file cdktf-outputs.json',
    ]),
  );
  expect(dynamodb.calls()).toHaveLength(0);
});

it('--lock dynamodb makes the lock table Terraform before 1.10 needs, keyed by LockID', async () => {
  s3.onAnyCommand().resolves({});
  const io = captureIo();
  expect(await main(['bootstrap', '--lock', 'dynamodb', '--bucket', 'acme-state'], io)).toBe(0);
  expect(s3.commandCalls(CreateBucketCommand)).toHaveLength(0); // it was there already
  expect(io.stdout[0]).toBe(
    'state bucket acme-state (account 123456789012, us-east-1): already there, settings re-applied',
  );
  expect(dynamodb.commandCalls(CreateTableCommand)[0].args[0].input).toMatchObject({
    TableName: 'clicklogger-tfstate-lock',
    KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  expect(io.stdout).toContain('  export CLICKLOGGER_STATE_LOCK_TABLE=clicklogger-tfstate-lock');
});

it("refuses another account's bucket, and an unknown lock, in one line", async () => {
  s3.on(HeadBucketCommand).rejects(status(403));
  const io = captureIo();
  expect(await main(['bootstrap', '--lock', 'file', '--bucket', 'taken'], io)).toBe(1);
  expect(io.stderr).toEqual([
    'clicklogger: the bucket taken belongs to another account: choose a name with --bucket NAME',
  ]);
  const lock = captureIo();
  expect(await main(['bootstrap', '--lock', 'etcd'], lock)).toBe(2);
  expect(lock.stderr).toEqual(['clicklogger: --lock takes file or dynamodb, not "etcd"']);
});
