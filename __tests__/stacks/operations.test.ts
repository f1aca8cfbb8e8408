import { only, resources, synth } from '../support/synth';

const json = synth();

describe('daily schedule', () => {
  const schedule = only(json, 'aws_scheduler_schedule');

  it('starts the state machine at 01:00 UTC every day', () => {
    expect(schedule.schedule_expression).toBe('cron(0 1 * * ? *)');
    expect(schedule.schedule_expression_timezone).toBe('UTC');
    expect(schedule.target.arn).toMatch(/^\$\{aws_sfn_state_machine\.[\w-]+\.arn\}$/);
  });

  it('passes the scheduled time, from which the workflow reports the day before', () => {
    expect(JSON.parse(schedule.target.input)).toEqual({ ScheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('may only start executions of the report state machine', () => {
    const policy = resources(json, 'aws_iam_role_policy').find(([id]) =>
      id.startsWith('schedule_scheduler-policy'),
    )![1];
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: schedule.target.arn },
    ]);
  });

  it('is left out when switched off', () => {
    expect(resources(synth({ schedule: false }), 'aws_scheduler_schedule')).toEqual([]);
  });
});

describe('alerts', () => {
  const alarms = resources(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => a);
  const metric = (namespace: string, name: string) =>
    alarms.find((a) => a.namespace === namespace && a.metric_name === name);

  it.each([
    ['AWS/States', 'ExecutionsFailed'],
    ['AWS/States', 'ExecutionsTimedOut'],
    ['AWS/Lambda', 'Errors'],
    ['AWS/Lambda', 'Throttles'],
    ['AWS/Firehose', 'DeliveryToS3.Success'],
    ['AWS/Firehose', 'FailedConversion.Records'],
    ['AWS/Firehose', 'DeliveryToS3.DataFreshness'],
  ])('alarms on %s %s and notifies the topic', (namespace, name) => {
    const alarm = metric(namespace, name);
    expect(alarm).toBeDefined();
    expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.[\w-]+\.arn\}$/)]);
    expect(alarm.treat_missing_data).toBe('notBreaching');
  });

  it('watches the stack’s own resources', () => {
    expect(metric('AWS/Lambda', 'Errors').dimensions.FunctionName).toMatch(
      /^\$\{aws_lambda_function\.ingestion_ingest_function_\w+\.function_name\}$/,
    );
    expect(metric('AWS/Firehose', 'FailedConversion.Records').dimensions.DeliveryStreamName).toMatch(
      /aws_kinesis_firehose_delivery_stream\./,
    );
  });

  it('subscribes an e-mail address only when one is configured', () => {
    expect(resources(json, 'aws_sns_topic_subscription')).toEqual([]);
    const withEmail = synth({ alertEmail: 'oncall@example.com' });
    expect(only(withEmail, 'aws_sns_topic_subscription')).toMatchObject({
      protocol: 'email',
      endpoint: 'oncall@example.com',
    });
  });

  it('rejects an alert address that is not an e-mail address', () => {
    expect(() => synth({ alertEmail: 'not-an-address' })).toThrow();
  });

  it('is left out when switched off', () => {
    const off = synth({ alerts: false });
    expect(resources(off, 'aws_sns_topic')).toEqual([]);
    expect(resources(off, 'aws_cloudwatch_metric_alarm')).toEqual([]);
  });
});

describe('dashboard', () => {
  const body = JSON.parse(only(json, 'aws_cloudwatch_dashboard').dashboard_body);
  const metrics = body.widgets.flatMap((w: any) => w.properties.metrics.map((m: string[]) => `${m[0]} ${m[1]}`));

  it('shows ingestion counts, Firehose delivery, executions and job durations', () => {
    expect(metrics).toEqual(
      expect.arrayContaining([
        'clicklogger accepted',
        'clicklogger rejected',
        'clicklogger failed',
        'AWS/Firehose DeliveryToS3.Records',
        'AWS/States ExecutionsFailed',
        'AWS/States ExecutionTime',
      ]),
    );
  });

  it('reads the ingestion metrics under the namespace and service the function emits them with', () => {
    const ingest = resources(json, 'aws_lambda_function').find(([id]) => id.startsWith('ingestion_'))![1];
    const env = ingest.environment.variables;
    const widget = body.widgets.find((w: any) => w.properties.title === 'Ingestion: events');
    expect(widget.properties.metrics[0]).toEqual([
      env.POWERTOOLS_METRICS_NAMESPACE,
      'accepted',
      'service',
      env.POWERTOOLS_SERVICE_NAME,
    ]);
  });

  it('is left out when switched off', () => {
    expect(resources(synth({ dashboard: false }), 'aws_cloudwatch_dashboard')).toEqual([]);
  });
});
