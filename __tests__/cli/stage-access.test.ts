/**
 * Without credentials, each command that drives a stage fails once, in one line with the fix,
 * before its first request: `send` used to report 8 failed events and the error 8 times.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/main';
import { captureIo } from '../support/io';
import { STACK_OUTPUTS } from '../support/stack-outputs';

const clients = [mockClient(LambdaClient), mockClient(SFNClient), mockClient(S3Client)];
const saved = { ...process.env };
let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-access-'));
  fs.writeFileSync(path.join(work, 'outputs.json'), JSON.stringify(STACK_OUTPUTS));
  process.env.CLICKLOGGER_OUTPUTS_FILE = path.join(work, 'outputs.json');
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete process.env[name];
  process.env.AWS_CONFIG_FILE = path.join(work, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(work, 'no-credentials');
  for (const client of clients) client.reset();
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(work, { recursive: true, force: true });
});

it.each([
  ['send', ['send', '--sample']],
  ['run', ['run', '--date', '2023-02-08']],
  ['report --stage', ['report', '--date', '2023-02-08', '--stage', 'dev']],
])('%s without credentials: one line with the fix, exit 1, no request made', async (_, argv) => {
  const io = captureIo();
  expect(await main(argv, io)).toBe(1);
  expect(io.stdout).toEqual([]);
  expect(io.stderr).toHaveLength(1);
  expect(io.stderr[0]).toMatch(
    /^clicklogger: cannot drive clicklogger-dev: no AWS credentials \(.*\): set AWS_PROFILE/,
  );
  expect(io.stderr[0]).toContain('aws sso login');
  for (const client of clients) expect(client.calls()).toHaveLength(0);
});

it('with credentials, the check passes and the command makes its requests', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test-only';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-only';
  clients[2].rejects(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));
  const io = captureIo();
  await main(['report', '--date', '2023-02-08', '--stage', 'dev'], io);
  expect(clients[2].calls().length).toBeGreaterThan(0);
  expect(io.stderr.join('\n')).not.toContain('no AWS credentials');
});
