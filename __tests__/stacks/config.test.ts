import { loadConfig, stageConfig } from '../../stacks/config';
import { Naming } from '../../stacks/naming';
import { SecureBucket } from '../../stacks/constructs/secure-bucket';
import { TerraformStack } from 'cdktf';
import { testApp } from '../support/synth';

describe('loadConfig', () => {
  it('defaults to clicklogger / dev / us-east-1 with local state, studio and URL off', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({
      appPrefix: 'clicklogger',
      stages: ['dev'],
      region: 'us-east-1',
      studio: false,
      collector: 'off',
      backend: { kind: 'local' },
      emr: { preInitializedWorkers: 0, idleTimeoutMinutes: 15 },
    });
  });

  it('reads cdktf context, and lets the environment override it', () => {
    const config = loadConfig(
      { stages: ['dev', 'prod'], region: 'eu-west-1', studio: true },
      { CLICKLOGGER_REGION: 'eu-central-1', CLICKLOGGER_COLLECTOR: 'iam' },
    );
    expect(config.stages).toEqual(['dev', 'prod']);
    expect(config.region).toBe('eu-central-1');
    expect(config.studio).toBe(true);
    expect(config.collector).toBe('iam');
  });

  it('reads the public collector and its comma-separated origins', () => {
    const config = loadConfig(
      {},
      {
        CLICKLOGGER_COLLECTOR: 'public',
        CLICKLOGGER_COLLECTOR_ORIGINS: 'https://shop.example.com, http://localhost:3000',
      },
    );
    expect(config).toMatchObject({
      collector: 'public',
      collectorOrigins: ['https://shop.example.com', 'http://localhost:3000'],
      collectorAllowAnyOrigin: false,
    });
  });

  it('refuses a public collector without origins, in one line', () => {
    const refusal = () => loadConfig({}, { CLICKLOGGER_COLLECTOR: 'public' });
    expect(refusal).toThrow(/collectorOrigins: a public collector needs the origins .*CLICKLOGGER_COLLECTOR_ORIGINS/);
    expect(() => refusal()).not.toThrow(/\n/);
    expect(loadConfig({ collectorAllowAnyOrigin: true }, { CLICKLOGGER_COLLECTOR: 'public' }).collector).toBe('public');
  });

  it.each([['*'], ['https://shop.example.com/'], ['shop.example.com'], ['https://shop.example.com/path']])(
    'refuses the origin %j (only an explicit collectorAllowAnyOrigin admits all)',
    (origin) => {
      expect(() => loadConfig({}, { CLICKLOGGER_COLLECTOR: 'public', CLICKLOGGER_COLLECTOR_ORIGINS: origin })).toThrow(
        /collectorOrigins\.0: an origin such as https:\/\/shop\.example\.com/,
      );
    },
  );

  it('refuses the old functionUrl setting with the name that replaced it', () => {
    expect(() => loadConfig({}, { CLICKLOGGER_FUNCTION_URL: 'true' })).toThrow(/CLICKLOGGER_COLLECTOR=iam/);
    expect(() => loadConfig({ functionUrl: true }, {})).toThrow(/replaced by collector/);
  });

  it('splits CLICKLOGGER_STAGES on commas', () => {
    expect(loadConfig({}, { CLICKLOGGER_STAGES: 'dev, test' }).stages).toEqual(['dev', 'test']);
  });

  it('builds an S3 or Terraform Cloud backend from the environment', () => {
    expect(loadConfig({}, { CLICKLOGGER_BACKEND: 's3', CLICKLOGGER_STATE_BUCKET: 'tf-state' }).backend).toEqual({
      kind: 's3',
      bucket: 'tf-state',
      keyPrefix: 'clicklogger',
    });
    expect(loadConfig({}, { CLICKLOGGER_BACKEND: 'cloud', TF_CLOUD_ORGANIZATION: 'acme' }).backend).toEqual({
      kind: 'cloud',
      organization: 'acme',
      workspacePrefix: '',
    });
  });

  it.each([
    [{ CLICKLOGGER_REGION: 'mars' }, /region: an AWS region such as us-east-1/],
    [{ CLICKLOGGER_STAGES: 'Dev' }, /stages\.0: lower-case letters, digits and dashes/],
    [{ CLICKLOGGER_STUDIO: 'maybe' }, /studio/],
    [{ CLICKLOGGER_BACKEND: 's3' }, /backend\.bucket/],
    [{ CLICKLOGGER_BACKEND: 'cloud' }, /backend\.organization/],
    [{ CLICKLOGGER_BACKEND: 'consul' }, /backend/],
    [{ CLICKLOGGER_LOG_RETENTION_DAYS: '3' }, /logRetentionDays/],
    [{ CLICKLOGGER_STAGES: 'dev,dev' }, /stages must not repeat/],
  ])('rejects %j with a clear message', (env, message) => {
    expect(() => loadConfig({}, env)).toThrow(message);
  });

  it('rejects an unpinned EMR release', () => {
    expect(() => loadConfig({ emr: { releaseLabel: 'emr-latest' } }, {})).toThrow(
      /emr\.releaseLabel: must be a pinned emr-7\.x\.y release/,
    );
  });

  it.each([
    [{ maxCpu: 'lots' }, /emr\.maxCpu: a number of vCPU, such as 16 vCPU/],
    [{ maxMemory: '64GiB' }, /emr\.maxMemory: a number of GB, such as 64 GB/],
    [
      { maxCpu: '2 vCPU' },
      /emr\.maxCpu: 2 vCPU and 64 GB cannot run the report job's driver \(1 vCPU, 2 GB\) and one executor \(2 vCPU, 4 GB\)/,
    ],
    [{ clicksPerDay: 0 }, /emr\.clicksPerDay/],
  ])('rejects EMR limits the job cannot run in: %j', (emr, message) => {
    expect(() => loadConfig({ emr }, {})).toThrow(message);
  });

  it('takes the rows a caller gets in response.md from the environment, and refuses none', () => {
    expect(loadConfig({}, { CLICKLOGGER_REPORT_ROWS_PER_CALLER: '25' }).reportRowsPerCaller).toBe(25);
    expect(loadConfig({}, {}).reportRowsPerCaller).toBe(100);
    expect(() => loadConfig({ reportRowsPerCaller: 0 }, {})).toThrow(/reportRowsPerCaller/);
  });

  it('rejects a prefix and stage that would make bucket names too long for S3', () => {
    expect(() => loadConfig({ appPrefix: 'clickstream-analytics', stages: ['production'] }, {})).toThrow(
      /longer than S3's 63 characters/,
    );
  });

  it('forces bucket destruction for every stage but prod unless set', () => {
    const config = loadConfig({ stages: ['dev', 'prod'] }, {});
    expect(stageConfig(config, 'dev').forceDestroy).toBe(true);
    expect(stageConfig(config, 'prod').forceDestroy).toBe(false);
    expect(stageConfig(loadConfig({ forceDestroy: false }, {}), 'dev').forceDestroy).toBe(false);
  });
});

describe('funnels', () => {
  it("defaults to the blog's checkout funnel and reads a JSON list from CLICKLOGGER_FUNNELS", () => {
    expect(loadConfig({}, {}).funnels).toEqual([
      { name: 'checkout', steps: ['login', 'products', 'checkout', 'submitorder'] },
    ]);
    const env = { CLICKLOGGER_FUNNELS: '[{"name":"signup","steps":["landing","form","welcome"]}]' };
    expect(loadConfig({}, env).funnels).toEqual([{ name: 'signup', steps: ['landing', 'form', 'welcome'] }]);
    expect(loadConfig({ funnels: [] }, {}).funnels).toEqual([]);
  });

  it.each([
    [[{ name: 'a', steps: ['x'] }], 'funnels.0.steps: a funnel has 2 to 10 steps'],
    [
      [{ name: 'a', steps: Array.from({ length: 11 }, (_, i) => `s${i}`) }],
      'funnels.0.steps: a funnel has 2 to 10 steps',
    ],
    [[{ name: 'a', steps: ['x', 'y', 'x'] }], 'funnels.0.steps: a funnel must not repeat a step'],
    [[{ name: 'a', steps: ['x', 'y'], window: 30 }], 'funnels.0: Unrecognized key: "window"'],
    [[{ name: 'a', steps: ['x', ' '] }], 'funnels.0.steps.1: a step must not be blank'],
    [[{ name: '<b>', steps: ['x', 'y'] }], 'funnels.0.name: letters, digits, spaces, _ . - (at most 64)'],
    [
      [
        { name: 'a', steps: ['x', 'y'] },
        { name: 'a', steps: ['y', 'z'] },
      ],
      'funnels: funnel names must not repeat',
    ],
  ])('refuses %j in one line', (funnels, problem) => {
    let message = '';
    try {
      loadConfig({ funnels }, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`Invalid clicklogger config: ${problem}`);
  });

  it('refuses CLICKLOGGER_FUNNELS that is not JSON', () => {
    expect(() => loadConfig({}, { CLICKLOGGER_FUNNELS: '[{name:' })).toThrow(
      'Invalid clicklogger config: CLICKLOGGER_FUNNELS: not valid JSON',
    );
  });
});

describe('Naming', () => {
  const names = new Naming('clicklogger', 'dev', 'us-east-1', '123456789012');

  it('follows the seed scheme', () => {
    expect(names.resource('ingestion-lambda')).toBe('clicklogger-dev-ingestion-lambda');
    expect(names.bucket('firehose-delivery')).toBe('us-east-1-clicklogger-dev-firehose-delivery-123456789012');
    expect(names.glue('db')).toBe('clicklogger_dev_db');
  });
});

describe('SecureBucket props', () => {
  it('refuses noncurrent-version expiry on an unversioned bucket', () => {
    const stack = new TerraformStack(testApp(), 's');
    expect(() => new SecureBucket(stack, 'b', { bucketName: 'b', noncurrentVersionExpiryDays: 30 })).toThrow(
      /noncurrentVersionExpiryDays needs versioned: true/,
    );
  });
});
