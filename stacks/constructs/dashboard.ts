import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';

export interface DashboardProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly ingestFunctionName: string;
  readonly deliveryStreamName: string;
  /** Namespace of the ingestion function's EMF metrics. */
  readonly metricsNamespace: string;
  readonly ingestServiceName: string;
  /** The stage dimension of the ingestion metrics: the dashboard shows this stage's only. */
  readonly stage: string;
}

/** One CloudWatch dashboard: ingestion, delivery and the report executions. */
export class Dashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const widget = (title: string, metrics: unknown[][], stat = 'Sum') => ({
      type: 'metric',
      width: 12,
      height: 6,
      properties: { title, region: props.region, stat, period: 300, view: 'timeSeries', metrics },
    });
    /** Metric rows of one namespace that share their dimensions. */
    const rowsOf = (namespace: string, dimensions: string[], names: string[]) =>
      names.map((name) => [namespace, name, ...dimensions]);
    const ingestFn = ['FunctionName', props.ingestFunctionName];
    const stream = ['DeliveryStreamName', props.deliveryStreamName];
    const machine = ['StateMachineArn', props.stateMachineArn];
    const ingestEvents = ['service', props.ingestServiceName, 'stage', props.stage];
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `${props.namePrefix}-pipeline`,
      dashboardBody: JSON.stringify({
        widgets: [
          widget('Ingestion: events', rowsOf(props.metricsNamespace, ingestEvents, ['accepted', 'rejected', 'failed'])),
          widget('Ingestion function', rowsOf('AWS/Lambda', ingestFn, ['Invocations', 'Errors', 'Throttles'])),
          widget(
            'Firehose delivery',
            rowsOf('AWS/Firehose', stream, [
              'IncomingRecords',
              'DeliveryToS3.Records',
              'FailedConversion.Records',
              'PartitionCountExceeded',
            ]),
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
