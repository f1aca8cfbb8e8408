import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { allow, grant, serviceRole } from '../iam';

export interface OperationsProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly ingestFunctionName: string;
  readonly deliveryStreamName: string;
  /** Namespace of the ingestion function's EMF metrics. */
  readonly metricsNamespace: string;
  readonly ingestServiceName: string;
  /** Seconds Firehose buffers before delivery; freshness alarms above twice that plus slack. */
  readonly bufferingIntervalSeconds: number;
  readonly schedule?: { expression: string };
  readonly alerts?: { email?: string };
  readonly dashboard?: boolean;
}

interface AlarmSpec {
  id: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Maximum' | 'Minimum';
  comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold';
  threshold: number;
  periodSeconds?: number;
}

/** Running it like production: the daily schedule, alarms to an SNS topic, a dashboard. */
export class Operations extends Construct {
  readonly schedule?: SchedulerSchedule;
  readonly topic?: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly dashboard?: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);

    if (props.schedule) {
      const role = serviceRole(this, 'scheduler-role', {
        name: `${props.namePrefix}-scheduler-role`,
        service: 'scheduler.amazonaws.com',
        description: 'Lets the daily schedule start the report state machine',
      });
      grant(this, 'scheduler-policy', role, [allow(['states:StartExecution'], props.stateMachineArn)]);
      this.schedule = new SchedulerSchedule(this, 'daily-report', {
        name: `${props.namePrefix}-daily-report`,
        description: 'Starts the report for the previous day (UTC)',
        scheduleExpression: props.schedule.expression,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: props.stateMachineArn,
          roleArn: role.arn,
          // The state machine reports the day before ScheduledTime, so a late retry still reports the right day.
          input: JSON.stringify({ ScheduledTime: '<aws.scheduler.scheduled-time>' }),
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3_600 },
        },
      });
    }

    if (props.alerts) {
      this.topic = new SnsTopic(this, 'alerts', { name: `${props.namePrefix}-alerts` });
      if (props.alerts.email) {
        new SnsTopicSubscription(this, 'alert-email', {
          topicArn: this.topic.arn,
          protocol: 'email',
          endpoint: props.alerts.email,
        });
      }
      const machine = { StateMachineArn: props.stateMachineArn };
      const ingest = { FunctionName: props.ingestFunctionName };
      const stream = { DeliveryStreamName: props.deliveryStreamName };
      const specs: AlarmSpec[] = [
        {
          id: 'executions-failed',
          description: 'A report execution failed',
          namespace: 'AWS/States',
          metric: 'ExecutionsFailed',
          dimensions: machine,
          statistic: 'Sum',
          comparison: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
        },
        {
          id: 'executions-timed-out',
          description: 'A report execution timed out',
          namespace: 'AWS/States',
          metric: 'ExecutionsTimedOut',
          dimensions: machine,
          statistic: 'Sum',
          comparison: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
        },
        {
          id: 'ingest-errors',
          description: 'The ingestion function raised errors',
          namespace: 'AWS/Lambda',
          metric: 'Errors',
          dimensions: ingest,
          statistic: 'Sum',
          comparison: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
        },
        {
          id: 'ingest-throttles',
          description: 'The ingestion function was throttled',
          namespace: 'AWS/Lambda',
          metric: 'Throttles',
          dimensions: ingest,
          statistic: 'Sum',
          comparison: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
        },
        {
          id: 'delivery-failed',
          description: 'Firehose failed to deliver to S3',
          namespace: 'AWS/Firehose',
          metric: 'DeliveryToS3.Success',
          dimensions: stream,
          statistic: 'Minimum',
          comparison: 'LessThanThreshold',
          threshold: 1,
        },
        {
          id: 'conversion-failed',
          description: 'Firehose could not convert records to Parquet',
          namespace: 'AWS/Firehose',
          metric: 'FailedConversion.Records',
          dimensions: stream,
          statistic: 'Sum',
          comparison: 'GreaterThanThreshold',
          threshold: 0,
        },
        {
          id: 'data-stale',
          description: 'The oldest undelivered record is older than two buffer intervals',
          namespace: 'AWS/Firehose',
          metric: 'DeliveryToS3.DataFreshness',
          dimensions: stream,
          statistic: 'Maximum',
          comparison: 'GreaterThanThreshold',
          threshold: 2 * props.bufferingIntervalSeconds + 300,
        },
      ];
      for (const spec of specs) {
        this.alarms.push(
          new CloudwatchMetricAlarm(this, spec.id, {
            alarmName: `${props.namePrefix}-${spec.id}`,
            alarmDescription: spec.description,
            namespace: spec.namespace,
            metricName: spec.metric,
            dimensions: spec.dimensions,
            statistic: spec.statistic,
            comparisonOperator: spec.comparison,
            threshold: spec.threshold,
            period: spec.periodSeconds ?? 300,
            evaluationPeriods: 1,
            // No traffic is not an incident: an idle pipeline stays green.
            treatMissingData: 'notBreaching',
            alarmActions: [this.topic.arn],
            okActions: [this.topic.arn],
          }),
        );
      }
    }

    if (props.dashboard) {
      const widget = (title: string, metrics: unknown[][], stat = 'Sum') => ({
        type: 'metric',
        width: 12,
        height: 6,
        properties: { title, region: props.region, stat, period: 300, view: 'timeSeries', metrics },
      });
      /** Metric rows of one namespace that share one dimension. */
      const rowsOf = (namespace: string, dimension: [string, string], names: string[]) =>
        names.map((name) => [namespace, name, ...dimension]);
      const ingestFn: [string, string] = ['FunctionName', props.ingestFunctionName];
      const stream: [string, string] = ['DeliveryStreamName', props.deliveryStreamName];
      const machine: [string, string] = ['StateMachineArn', props.stateMachineArn];
      this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
        dashboardName: `${props.namePrefix}-pipeline`,
        dashboardBody: JSON.stringify({
          widgets: [
            widget(
              'Ingestion: events',
              rowsOf(props.metricsNamespace, ['service', props.ingestServiceName], ['accepted', 'rejected', 'failed']),
            ),
            widget('Ingestion function', rowsOf('AWS/Lambda', ingestFn, ['Invocations', 'Errors', 'Throttles'])),
            widget(
              'Firehose delivery',
              rowsOf('AWS/Firehose', stream, ['IncomingRecords', 'DeliveryToS3.Records', 'FailedConversion.Records']),
            ),
            widget(
              'Firehose data freshness (s)',
              rowsOf('AWS/Firehose', stream, ['DeliveryToS3.DataFreshness']),
              'Maximum',
            ),
            widget(
              'Report executions',
              rowsOf('AWS/States', machine, [
                'ExecutionsStarted',
                'ExecutionsSucceeded',
                'ExecutionsFailed',
                'ExecutionsTimedOut',
              ]),
            ),
            // The execution spans submission, the Spark job and polling: the job's duration as users see it.
            widget('Report job duration (ms)', rowsOf('AWS/States', machine, ['ExecutionTime']), 'Maximum'),
          ],
        }),
      });
    }
  }
}
