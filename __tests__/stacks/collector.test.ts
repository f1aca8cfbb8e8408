import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { COLLECTOR_ORIGINS_VARIABLE, COLLECTOR_ROUTE } from '../../core/collector';
import { STACK_OUTPUT_NAMES as OUTPUTS } from '../../core/contracts';
import { ClickloggerStack } from '../../stacks/clicklogger-stack';
import { loadConfig, stageConfig } from '../../stacks/config';
import { find, only, resources, type Synthesized, synth, testApp } from '../support/synth';

const SHOP = 'https://shop.example.com';

/** The stack as `cdktf synth` builds it from these environment variables. */
function synthFromEnv(env: NodeJS.ProcessEnv): Synthesized {
  const config = loadConfig({}, env);
  return JSON.parse(Testing.synth(new ClickloggerStack(testApp(), stageConfig(config, 'dev'))));
}

describe('the public collector', () => {
  const json = synthFromEnv({ CLICKLOGGER_COLLECTOR: 'public', CLICKLOGGER_COLLECTOR_ORIGINS: SHOP });
  const ingest = find(json, 'aws_lambda_function', 'function_name', 'ingestion-lambda');

  it('is an HTTP API whose CORS allows exactly the configured origin', () => {
    const api = only(json, 'aws_apigatewayv2_api');
    expect(api.protocol_type).toBe('HTTP');
    expect(api.cors_configuration).toEqual({
      allow_origins: [SHOP],
      allow_methods: ['POST'],
      allow_headers: ['content-type'],
      max_age: 600,
    });
  });

  it('routes POST /clicks to the ingestion function through a payload-2.0 proxy', () => {
    const route = only(json, 'aws_apigatewayv2_route');
    expect(route.route_key).toBe(COLLECTOR_ROUTE.key);
    const integration = only(json, 'aws_apigatewayv2_integration');
    expect(integration).toMatchObject({ integration_type: 'AWS_PROXY', payload_format_version: '2.0' });
    expect(integration.integration_uri).toMatch(/^\$\{aws_lambda_function\.ingestion_ingest_function_\w+\.arn\}$/);
    expect(route.target).toMatch(/^integrations\/\$\{aws_apigatewayv2_integration\./);
    const permission = only(json, 'aws_lambda_permission');
    expect(permission).toMatchObject({ principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction' });
    expect(permission.source_arn).toMatch(/\.execution_arn\}\/\*\/POST\/clicks$/);
  });

  it('throttles its stage and writes access logs, without client addresses, to a log group with retention', () => {
    const stage = only(json, 'aws_apigatewayv2_stage');
    expect(stage.default_route_settings).toEqual({ throttling_rate_limit: 50, throttling_burst_limit: 100 });
    const group = find(json, 'aws_cloudwatch_log_group', 'name', '/aws/apigateway/');
    expect(group.retention_in_days).toBe(30);
    expect(stage.access_log_settings.destination_arn).toMatch(
      /^\$\{aws_cloudwatch_log_group\.collector_access-logs_\w+\.arn\}$/,
    );
    const format = JSON.parse(stage.access_log_settings.format);
    expect(format.status).toBe('$context.status');
    expect(JSON.stringify(format)).not.toContain('sourceIp');
  });

  it('reserves (and caps) the ingestion function’s concurrency, and tells it the origins', () => {
    expect(ingest.reserved_concurrent_executions).toBe(10);
    expect(ingest.environment.variables[COLLECTOR_ORIGINS_VARIABLE]).toBe(SHOP);
  });

  it('alarms on 5xx answers and on throttled requests, counted from the access log', () => {
    const alarm = (suffix: string) => find(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', suffix);
    expect(alarm('collector-5xx')).toMatchObject({ namespace: 'AWS/ApiGateway', metric_name: '5xx' });
    const filter = only(json, 'aws_cloudwatch_log_metric_filter');
    expect(filter.pattern).toBe('{ $.status = "429" }');
    expect(alarm('collector-throttled').metric_name).toBe(filter.metric_transformation.name);
  });

  it('outputs the URL to send clicks to', () => {
    expect(json.output[OUTPUTS.collectorUrl].value).toMatch(/\.api_endpoint\}\/clicks$/);
  });

  it('takes its limits from the config, and * only when asked for', () => {
    const tuned = synth({
      collector: 'public',
      collectorAllowAnyOrigin: true,
      collectorRateLimit: 5,
      collectorBurstLimit: 7,
      collectorConcurrency: 3,
    });
    expect(only(tuned, 'aws_apigatewayv2_api').cors_configuration.allow_origins).toEqual(['*']);
    expect(only(tuned, 'aws_apigatewayv2_stage').default_route_settings).toEqual({
      throttling_rate_limit: 5,
      throttling_burst_limit: 7,
    });
    expect(find(tuned, 'aws_lambda_function', 'function_name', 'ingestion-lambda').reserved_concurrent_executions).toBe(
      3,
    );
  });
});

describe('without the public collector', () => {
  it.each([['off'], ['iam']])('%s has no HTTP API, no reservation and no origin list', (collector) => {
    const json = synth({ collector });
    expect(resources(json, 'aws_apigatewayv2_api')).toHaveLength(0);
    const ingest = find(json, 'aws_lambda_function', 'function_name', 'ingestion-lambda');
    expect(ingest.reserved_concurrent_executions).toBeUndefined();
    expect(ingest.environment.variables[COLLECTOR_ORIGINS_VARIABLE]).toBeUndefined();
    expect(json.output[OUTPUTS.collectorUrl]).toBeUndefined();
  });
});

describe('cdktf synth with a public collector and no origins', () => {
  it('is refused in one line, exit 2', () => {
    const root = path.resolve(__dirname, '..', '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        CLICKLOGGER_COLLECTOR: 'public',
        CLICKLOGGER_COLLECTOR_ORIGINS: '',
        CDKTF_OUTDIR: '/nonexistent',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^clicklogger: Invalid clicklogger config: collectorOrigins: a public collector needs the origins/,
      ),
    ]);
    expect(run.status).toBe(2);
  });
});
