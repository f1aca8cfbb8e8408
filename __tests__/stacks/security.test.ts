/**
 * The security checklist, asserted over the synthesized JSON of the default stack
 * and of a stack with every optional feature switched on.
 */
import { resources, synth, type Synthesized } from '../support/synth';

// Actions that AWS offers no resource-level permissions for. Kept here, not imported,
// so that widening the stack's list cannot silently widen what this test accepts.
const MAY_USE_STAR_RESOURCE = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
  'ec2:DescribeTags',
]);

const variants: [string, Synthesized][] = [
  ['default', synth()],
  [
    'all features on',
    synth({
      studio: true,
      collector: 'public',
      collectorOrigins: ['https://shop.example.com'],
      kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
      emr: { preInitializedWorkers: 1 },
    }),
  ],
];

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function statements(json: Synthesized, type: string, key: string): [string, any][] {
  return resources(json, type).flatMap(([id, r]) => JSON.parse(r[key]).Statement.map((s: any) => [id, s]));
}

describe.each(variants)('IAM (%s)', (name, json) => {
  const permissions = [
    ...statements(json, 'aws_iam_role_policy', 'policy'),
    ...statements(json, 'aws_iam_policy', 'policy'),
  ];

  it('has policies to check', () => {
    expect(permissions.length).toBeGreaterThan(10);
  });

  it('never allows "*" or "service:*" actions', () => {
    const wild = permissions.filter(
      ([, s]) => s.Effect === 'Allow' && list(s.Action).some((a: string) => a === '*' || a.endsWith(':*')),
    );
    expect(wild).toEqual([]);
  });

  it('uses Resource "*" only for actions that cannot be scoped', () => {
    const offenders = permissions
      .filter(([, s]) => s.Effect === 'Allow' && list(s.Resource).includes('*'))
      .flatMap(([id, s]) =>
        list<string>(s.Action)
          .filter((a) => !MAY_USE_STAR_RESOURCE.has(a))
          .map((a) => `${id}: ${a}`),
      );
    expect(offenders).toEqual([]);
  });

  it('passes each state machine its own job role only, and only to EMR Serverless', () => {
    const passRole = permissions.filter(([, s]) => list(s.Action).includes('iam:PassRole'));
    expect(passRole.map(([id, s]) => [id.replace(/_[A-F0-9]{8}$/, ''), list(s.Resource)])).toEqual([
      ['erasure_policy', [expect.stringMatching(/^\$\{aws_iam_role\.erasure_job-role_\w+\.arn\}$/)]],
      ['orchestration_policy', [expect.stringMatching(/^\$\{aws_iam_role\.analytics_job-role_\w+\.arn\}$/)]],
    ]);
    for (const [, statement] of passRole) {
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } });
    }
  });

  it('lets only the erase job delete raw clicks', () => {
    const deleters = permissions.filter(
      ([, s]) => list(s.Action).includes('s3:DeleteObject') && JSON.stringify(s.Resource).includes('raw_'),
    );
    expect(deleters.map(([id]) => id.replace(/_[A-F0-9]{8}$/, ''))).toEqual(['erasure_job-policy']);
  });

  it('trusts exactly one service principal per role', () => {
    for (const [, role] of resources(json, 'aws_iam_role')) {
      const trust = JSON.parse(role.assume_role_policy).Statement;
      expect(trust).toHaveLength(1);
      expect(list(trust[0].Principal.Service)).toHaveLength(1);
      expect(trust[0].Principal.AWS).toBeUndefined();
    }
  });

  it('guards every service role the way its service documents (confused deputy)', () => {
    const account = '${data.aws_caller_identity.account.account_id}';
    const sourceGuard = (arn: RegExp) => ({
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': expect.stringMatching(arn) },
    });
    const expected: Record<string, unknown> = {
      'emr-serverless.amazonaws.com': sourceGuard(/^\$\{aws_emrserverless_application\.[\w-]+\.arn\}$/),
      'scheduler.amazonaws.com': sourceGuard(
        /^arn:\$\{[^}]+\}:scheduler:us-east-1:\$\{[^}]+\}:schedule-group\/default$/,
      ),
      'states.amazonaws.com': sourceGuard(
        /^arn:\$\{[^}]+\}:states:us-east-1:\$\{[^}]+\}:stateMachine:clicklogger-dev-(erase-)?state-machine$/,
      ),
      'elasticmapreduce.amazonaws.com': sourceGuard(/^arn:\$\{[^}]+\}:elasticmapreduce:us-east-1:\$\{[^}]+\}:\*$/),
      'firehose.amazonaws.com': { StringEquals: { 'sts:ExternalId': account } },
      // Lambda documents no condition keys for its execution roles.
      'lambda.amazonaws.com': undefined,
    };
    const seen = new Set<string>();
    for (const [id, role] of resources(json, 'aws_iam_role')) {
      const [trust] = JSON.parse(role.assume_role_policy).Statement;
      const service = trust.Principal.Service as string;
      seen.add(service);
      expect({ id, service, condition: trust.Condition }).toEqual({ id, service, condition: expected[service] });
    }
    expect([...seen].every((service) => service in expected)).toBe(true);
  });

  it('lets the state machine start and cancel jobs on the application only, trace, and invoke its own functions only', () => {
    const machinePolicy = resources(json, 'aws_iam_role_policy').find(([id]) =>
      id.startsWith('orchestration_policy'),
    )![1];
    const doc = JSON.parse(machinePolicy.policy).Statement;
    const start = doc.find((s: any) => list(s.Action).includes('emr-serverless:StartJobRun'));
    expect(list(start.Resource)).toEqual([expect.stringMatching(/^\$\{aws_emrserverless_application\.\w+\.arn\}$/)]);
    const cancel = doc.find((s: any) => list(s.Action).includes('emr-serverless:CancelJobRun'));
    expect(list(cancel.Action)).toEqual(['emr-serverless:CancelJobRun']);
    expect(list(cancel.Resource)).toEqual([
      expect.stringMatching(/^\$\{aws_emrserverless_application\.\w+\.arn\}\/jobruns\/\*$/),
    ]);
    const sampling = doc.find((s: any) => list(s.Action).includes('xray:GetSamplingRules'));
    expect(list(sampling.Action).sort()).toEqual(['xray:GetSamplingRules', 'xray:GetSamplingTargets']);
    const invoke = doc.find((s: any) => list(s.Action).includes('lambda:InvokeFunction'));
    expect(
      list(invoke.Resource).every((r: string) => /^\$\{aws_lambda_function\.orchestration_[\w-]+\.arn\}$/.test(r)),
    ).toBe(true);
  });

  it('lets the date plan list only the raw partitions, and read only reports', () => {
    const planPolicy = resources(json, 'aws_iam_role_policy').find(([id]) =>
      id.startsWith('orchestration_plan-dates_policy'),
    )![1];
    const doc: any[] = JSON.parse(planPolicy.policy).Statement.filter(
      (s: any) => !list<string>(s.Action).some((a) => a.startsWith('logs:') || a.startsWith('xray:')),
    );
    const kms =
      name === 'all features on' ? [[['kms:Decrypt'], ['arn:aws:kms:us-east-1:111122223333:key/k'], undefined]] : [];
    expect(doc.map((s) => [list(s.Action), list(s.Resource), s.Condition])).toEqual([
      [
        ['s3:ListBucket'],
        [expect.stringMatching(/^\$\{aws_s3_bucket\.raw_bucket_\w+\.arn\}$/)],
        { StringLike: { 's3:prefix': ['clicklog/data=*'] } },
      ],
      [['s3:ListBucket'], [expect.stringMatching(/^\$\{aws_s3_bucket\.output_bucket_\w+\.arn\}$/)], undefined],
      [
        ['s3:GetObject'],
        [expect.stringMatching(/^\$\{aws_s3_bucket\.output_bucket_\w+\.arn\}\/\*\/report\.json$/)],
        undefined,
      ],
      ...kms,
    ]);
  });

  it('lets the job role read source and raw, write output and logs, and nothing in Glue (it reads paths)', () => {
    const jobPolicy = resources(json, 'aws_iam_role_policy').find(([id]) => id.startsWith('analytics_job-policy'))![1];
    const doc: any[] = JSON.parse(jobPolicy.policy).Statement;
    const write = doc.find((s) => list(s.Action).includes('s3:PutObject'));
    expect(list(write.Resource)).toEqual([
      expect.stringMatching(/^\$\{aws_s3_bucket\.output_bucket_\w+\.arn\}\/\*$/),
      expect.stringMatching(/^\$\{aws_s3_bucket\.emr-logs_bucket_\w+\.arn\}\/\*$/),
    ]);
    expect(doc.flatMap((s) => list<string>(s.Action)).filter((a) => a.startsWith('glue:'))).toEqual([]);
  });
});

describe.each(variants)('S3 (%s)', (_name, json) => {
  const buckets = resources(json, 'aws_s3_bucket').map(([id]) => id);
  const forBucket = (type: string, id: string) =>
    resources(json, type)
      .filter(([, r]) => r.bucket === `\${aws_s3_bucket.${id}.id}`)
      .map(([, r]) => r);

  it.each(buckets)('%s blocks all public access', (id) => {
    expect(forBucket('aws_s3_bucket_public_access_block', id)).toEqual([
      expect.objectContaining({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ]);
  });

  it.each(buckets)('%s enforces bucket-owner ownership and encryption', (id) => {
    expect(forBucket('aws_s3_bucket_ownership_controls', id)[0].rule.object_ownership).toBe('BucketOwnerEnforced');
    const sse = forBucket('aws_s3_bucket_server_side_encryption_configuration', id)[0];
    expect(['AES256', 'aws:kms']).toContain(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm);
  });

  it.each(buckets)('%s denies non-TLS requests', (id) => {
    const [policy] = forBucket('aws_s3_bucket_policy', id);
    expect(JSON.parse(policy.policy).Statement).toContainEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`\${aws_s3_bucket.${id}.arn}`, `\${aws_s3_bucket.${id}.arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it.each(buckets)('%s aborts incomplete multipart uploads', (id) => {
    const [lifecycle] = forBucket('aws_s3_bucket_lifecycle_configuration', id);
    expect(lifecycle.rule.some((r: any) => r.abort_incomplete_multipart_upload?.[0]?.days_after_initiation > 0)).toBe(
      true,
    );
  });
});

describe.each(variants)('logs, network and capacity (%s)', (name, json) => {
  it('gives every log group a retention', () => {
    const groups = resources(json, 'aws_cloudwatch_log_group');
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const [, group] of groups) expect(group.retention_in_days).toBeGreaterThan(0);
  });

  it('has no NAT gateway and no internet gateway', () => {
    expect(resources(json, 'aws_nat_gateway')).toEqual([]);
    expect(resources(json, 'aws_internet_gateway')).toEqual([]);
    expect(resources(json, 'aws_eip')).toEqual([]);
  });

  it('has no Function URL without IAM auth', () => {
    for (const [, url] of resources(json, 'aws_lambda_function_url')) expect(url.authorization_type).toBe('AWS_IAM');
  });

  it('keeps EMR capacity capped, and pre-initialized only when asked', () => {
    const [[, app]] = resources(json, 'aws_emrserverless_application');
    expect(app.maximum_capacity).toBeDefined();
    expect(app.initial_capacity === undefined).toBe(name === 'default');
  });

  it('puts no secrets in Lambda environments', () => {
    for (const [, f] of resources(json, 'aws_lambda_function')) {
      for (const key of Object.keys(f.environment?.variables ?? {})) {
        expect(key).not.toMatch(/SECRET|PASSWORD|TOKEN|ACCESS_KEY/i);
      }
    }
  });
});

describe('EMR Studio switch', () => {
  it('is off by default', () => {
    const [, json] = variants[0];
    expect(resources(json, 'aws_emr_studio')).toEqual([]);
    expect(resources(json, 'aws_vpc')).toEqual([]);
  });

  it('adds the studio, its VPC, two private subnets, an S3 endpoint and its bucket when on', () => {
    const [, json] = variants[1];
    expect(resources(json, 'aws_emr_studio')).toHaveLength(1);
    expect(resources(json, 'aws_subnet').map(([, s]) => s.map_public_ip_on_launch)).toEqual([false, false]);
    expect(resources(json, 'aws_vpc_endpoint').map(([, e]) => e.vpc_endpoint_type)).toEqual(['Gateway']);
    expect(resources(json, 'aws_s3_bucket').some(([, b]) => b.bucket.includes('-emr-studio-'))).toBe(true);
  });
});
