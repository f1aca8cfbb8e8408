/** Personal data in the synthesized stack: what the ingestion function is told, what it may read, and what expires. */
import { Testing } from 'cdktf';
import { ClickloggerStack } from '../../stacks/clicklogger-stack';
import { loadConfig, stageConfig } from '../../stacks/config';
import { find, resources, type Synthesized, synth, testApp } from '../support/synth';

const json = synth();
const ingest = find(json, 'aws_lambda_function', 'function_name', 'ingestion-lambda');
const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
const ingestStatements = (stack: Synthesized) =>
  resources(stack, 'aws_iam_role_policy')
    .filter(([id]) => id.startsWith('ingestion_ingest'))
    .flatMap(([, p]) => JSON.parse(p.policy).Statement);

it('truncates addresses and pseudonymizes users by default, and names the key, never holding it', () => {
  expect(ingest.environment.variables).toMatchObject({
    CLIENT_IP_MODE: 'truncate',
    USER_MODE: 'pseudonymize',
    PSEUDONYM_KEY_PARAMETER: '/clicklogger/dev/pseudonym-key',
  });
  expect(resources(json, 'aws_ssm_parameter')).toEqual([]);
});

it('lets the function read and create its own key parameter, and no other', () => {
  const key = ingestStatements(json).filter((s: any) => list(s.Action).some((a: string) => a.startsWith('ssm:')));
  expect(key).toHaveLength(1);
  expect(list(key[0].Action).sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
  expect(list(key[0].Resource)).toEqual([
    expect.stringMatching(
      /^arn:\$\{data\.aws_partition\.\w+\.partition\}:ssm:us-east-1:\$\{data\.aws_caller_identity\.\w+\.account_id\}:parameter\/clicklogger\/dev\/pseudonym-key$/,
    ),
  ]);
});

it('grants the key in every user mode, as suppression compares pseudonyms, and reads only the suppression list', () => {
  for (const user of ['keep', 'drop']) {
    const stack = synth({ user, clientIp: 'drop' });
    const fn = find(stack, 'aws_lambda_function', 'function_name', 'ingestion-lambda');
    expect(fn.environment.variables).toMatchObject({
      CLIENT_IP_MODE: 'drop',
      USER_MODE: user,
      PSEUDONYM_KEY_PARAMETER: '/clicklogger/dev/pseudonym-key',
      SUPPRESSION_BUCKET: expect.stringMatching(/\$\{aws_s3_bucket\.output_\w+\.bucket\}/),
    });
  }
  const s3 = ingestStatements(synth()).filter((s: any) => list(s.Action).some((a: string) => a.startsWith('s3:')));
  expect(s3.map((s: any) => [list(s.Action), list(s.Resource), s.Condition])).toEqual([
    [['s3:GetObject'], [expect.stringMatching(/^\$\{aws_s3_bucket\.output_\w+\.arn\}\/suppressed\.json$/)], undefined],
    [
      ['s3:ListBucket'],
      [expect.stringMatching(/^\$\{aws_s3_bucket\.output_\w+\.arn\}$/)],
      { StringEquals: { 's3:prefix': 'suppressed.json' } },
    ],
  ]);
});

it('expires raw clicks, error prefix included, after rawRetentionDays (395 by default)', () => {
  const rawRule = (stack: Synthesized) =>
    resources(stack, 'aws_s3_bucket_lifecycle_configuration')
      .find(([, l]) => String(l.bucket).includes('raw_bucket'))![1]
      .rule.find((r: any) => r.id === 'expire-objects');
  expect(rawRule(json)).toMatchObject({ status: 'Enabled', expiration: [{ days: 395 }] });
  // No prefix filter: the whole bucket, the error prefix with it.
  expect(rawRule(json).filter?.[0]?.prefix ?? '').toBe('');
  const config = loadConfig({}, { CLICKLOGGER_RAW_RETENTION_DAYS: '30' });
  const short = JSON.parse(Testing.synth(new ClickloggerStack(testApp(), stageConfig(config, 'dev')))) as Synthesized;
  expect(rawRule(short).expiration).toEqual([{ days: 30 }]);
});

it.each([
  [{ CLICKLOGGER_CLIENT_IP: 'mask' }, 'clientIp'],
  [{ CLICKLOGGER_USER: 'hash' }, 'user'],
  [{ CLICKLOGGER_RAW_RETENTION_DAYS: '0' }, 'rawRetentionDays'],
])('refuses %j in one line naming %s', (env, setting) => {
  expect(() => loadConfig({}, env)).toThrow(new RegExp(`^Invalid clicklogger config: ${setting}: [^\\n]+$`));
});
