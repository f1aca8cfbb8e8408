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
    ['AWS/Firehose', 'PartitionCountExceeded'],
  ])('alarms on %s %s and notifies the topic', (namespace, name) => {
    const alarm = metric(namespace, name);
    expect(alarm).toBeDefined();
    expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.[\w-]+\.arn\}$/)]);
    expect(alarm.treat_missing_data).toBe('notBreaching');
  });

  it('alarms as soon as records spill past the active-partition limit into the error prefix', () => {
    expect(metric('AWS/Firehose', 'PartitionCountExceeded')).toMatchObject({
      statistic: 'Maximum',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
    });
  });

  it('calls data stale at the age its description gives', () => {
    const stale = metric('AWS/Firehose', 'DeliveryToS3.DataFreshness');
    const interval = only(json, 'aws_kinesis_firehose_delivery_stream').extended_s3_configuration.buffering_interval;
    expect(stale.threshold).toBe(3 * interval);
    expect(stale.alarm_description).toBe(
      `The oldest undelivered record is older than three buffer intervals (${3 * interval} s)`,
    );
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

  it('reads the ingestion metrics under the namespace, service and stage the function emits them with', () => {
    const ingest = resources(json, 'aws_lambda_function').find(([id]) => id.startsWith('ingestion_'))![1];
    const env = ingest.environment.variables;
    const widget = body.widgets.find((w: any) => w.properties.title === 'Ingestion: events');
    expect(widget.properties.metrics[0]).toEqual([
      env.POWERTOOLS_METRICS_NAMESPACE,
      'accepted',
      'service',
      env.POWERTOOLS_SERVICE_NAME,
      'stage',
      'dev',
    ]);
    expect(env.CLICKLOGGER_STAGE).toBe('dev');
  });

  it('keeps the ingestion metrics of two stages in one account apart', () => {
    const widgetOf = (stage: string) =>
      JSON.parse(only(synth({}, stage), 'aws_cloudwatch_dashboard').dashboard_body).widgets.find(
        (w: any) => w.properties.title === 'Ingestion: events',
      ).properties.metrics[0];
    expect(widgetOf('dev')).not.toEqual(widgetOf('prod'));
    expect(widgetOf('prod')).toContain('prod');
  });

  it('is left out when switched off', () => {
    expect(resources(synth({ dashboard: false }), 'aws_cloudwatch_dashboard')).toEqual([]);
  });
});
