/**
 * Lists what the emulator still holds for a stack after `terraform destroy`, by asking each
 * service the stack used. Requests are unsigned: moto routes them by the credential scope.
 */
import { EMULATOR_REGION } from './emulator';

interface Probe {
  readonly service: string;
  readonly describe: string;
  readonly request: (scope: Record<string, string>) => {
    path: string;
    method: string;
    headers: Record<string, string>;
    body?: string;
  };
}

const json =
  (target: string, body: unknown = {}) =>
  () => ({
    path: '/',
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
  });
const query = (action: string, version: string) => () => ({
  path: '/',
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: `Action=${action}&Version=${version}`,
});
const get = (path: string) => () => ({ path, method: 'GET', headers: {} });

const PROBES: Probe[] = [
  { service: 's3', describe: 'S3 buckets', request: get('/') },
  { service: 'lambda', describe: 'Lambda functions', request: get('/2015-03-31/functions/') },
  { service: 'states', describe: 'state machines', request: json('AWSStepFunctions.ListStateMachines') },
  { service: 'firehose', describe: 'delivery streams', request: json('Firehose_20150804.ListDeliveryStreams') },
  { service: 'glue', describe: 'Glue databases', request: json('AWSGlue.GetDatabases') },
  { service: 'logs', describe: 'log groups', request: json('Logs_20140328.DescribeLogGroups') },
  { service: 'iam', describe: 'IAM roles', request: query('ListRoles', '2010-05-08') },
  { service: 'scheduler', describe: 'schedules', request: get('/schedules') },
  { service: 'sns', describe: 'SNS topics', request: query('ListTopics', '2010-03-31') },
  { service: 'monitoring', describe: 'CloudWatch alarms', request: query('DescribeAlarms', '2010-08-01') },
  { service: 'monitoring', describe: 'CloudWatch dashboards', request: query('ListDashboards', '2010-08-01') },
  { service: 'apigateway', describe: 'HTTP APIs', request: get('/v2/apis') },
  {
    service: 'logs',
    describe: 'log metric filters',
    request: json('Logs_20140328.DescribeMetricFilters'),
  },
  {
    service: 'emr-serverless',
    describe: 'EMR Serverless applications not terminated',
    request: get(
      '/applications?states=CREATING&states=CREATED&states=STARTING&states=STARTED&states=STOPPING&states=STOPPED',
    ),
  },
];

/** One line per service whose listing still names `pattern`. */
export async function leftovers(endpoint: string, pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const probe of PROBES) {
    const { path, method, headers, body } = probe.request({});
    const response = await fetch(`${endpoint}${path}`, {
      method,
      body,
      headers: {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=emulator/20260101/${EMULATOR_REGION}/${probe.service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`listing ${probe.describe} failed: HTTP ${response.status} ${text.slice(0, 200)}`);
    if (pattern.test(text))
      found.push(`${probe.describe}: ${text.match(new RegExp(`[^"<>]*${pattern.source}[^"<>]*`))?.[0]}`);
  }
  return found;
}
