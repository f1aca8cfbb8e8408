import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';

export interface AlarmsProps {
  readonly namePrefix: string;
  readonly stateMachineArn: string;
  readonly ingestFunctionName: string;
  readonly deliveryStreamName: string;
  /** Seconds Firehose buffers before delivery; the freshness alarm allows a few of them. */
  readonly bufferingIntervalSeconds: number;
  /** The public collector's API and where its throttled requests are counted, when there is one. */
  readonly collector?: {
    readonly apiId: string;
    readonly throttled: { readonly namespace: string; readonly name: string };
  };
  /** Subscribes this address to the topic (the recipient confirms it). */
  readonly email?: string;
}

/** Buffer intervals after which undelivered data is stale. */
const STALE_INTERVALS = 3;

interface AlarmSpec {
  id: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Maximum' | 'Minimum';
  /** Periods in a row that must breach. Default: 1. */
  evaluationPeriods?: number;
  comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold';
  threshold: number;
}

/** CloudWatch alarms on every stage of the pipeline, sent to one SNS topic. */
export class Alarms extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'alerts', { name: `${props.namePrefix}-alerts` });
    if (props.email) {
      new SnsTopicSubscription(this, 'alert-email', {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: props.email,
      });
    }
    for (const spec of alarmSpecs(props)) {
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
          period: 300,
          evaluationPeriods: spec.evaluationPeriods ?? 1,
          // No traffic is not an incident: an idle pipeline stays green.
          treatMissingData: 'notBreaching',
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
        }),
      );
    }
  }
}

function alarmSpecs(props: AlarmsProps): AlarmSpec[] {
  const machine = { StateMachineArn: props.stateMachineArn };
  const ingest = { FunctionName: props.ingestFunctionName };
  const stream = { DeliveryStreamName: props.deliveryStreamName };
  const atLeastOne = { statistic: 'Sum', comparison: 'GreaterThanOrEqualToThreshold', threshold: 1 } as const;
  return [
    {
      id: 'executions-failed',
      description: 'A report execution failed',
      namespace: 'AWS/States',
      metric: 'ExecutionsFailed',
      dimensions: machine,
      ...atLeastOne,
    },
    {
      id: 'executions-timed-out',
      description: 'A report execution timed out',
      namespace: 'AWS/States',
      metric: 'ExecutionsTimedOut',
      dimensions: machine,
      ...atLeastOne,
    },
    {
      id: 'ingest-errors',
      description: 'The ingestion function raised errors',
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions: ingest,
      ...atLeastOne,
    },
    {
      id: 'ingest-throttles',
      description: 'The ingestion function was throttled',
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      dimensions: ingest,
      ...atLeastOne,
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
      id: 'partition-limit-exceeded',
      // Records past the active-partition limit (500 a stream) go to the error prefix, not the table.
      description: 'Firehose passed its active-partition limit: records went to the error prefix',
      namespace: 'AWS/Firehose',
      metric: 'PartitionCountExceeded',
      dimensions: stream,
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
    },
    {
      id: 'data-stale',
      // Dynamic partitioning can take 1.5 buffer intervals end to end (Firehose guide, "Buffer data
      // for dynamic partitioning"); three intervals is late.
      description: `The oldest undelivered record is older than three buffer intervals (${STALE_INTERVALS * props.bufferingIntervalSeconds} s)`,
      namespace: 'AWS/Firehose',
      metric: 'DeliveryToS3.DataFreshness',
      dimensions: stream,
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: STALE_INTERVALS * props.bufferingIntervalSeconds,
    },
    ...(props.collector ? collectorAlarmSpecs(props.collector) : []),
  ];
}

function collectorAlarmSpecs(collector: NonNullable<AlarmsProps['collector']>): AlarmSpec[] {
  return [
    {
      id: 'collector-5xx',
      description: 'The public collector answered 5xx: clicks are waiting in browsers to be resent',
      namespace: 'AWS/ApiGateway',
      metric: '5xx',
      dimensions: { ApiId: collector.apiId },
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    },
    {
      // A few throttled requests are the throttle working; minutes of them are traffic beyond the limits.
      id: 'collector-throttled',
      description: 'The public collector has throttled requests (429) for 15 minutes: raise its rate limit',
      namespace: collector.throttled.namespace,
      metric: collector.throttled.name,
      dimensions: {},
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 3,
    },
  ];
}
