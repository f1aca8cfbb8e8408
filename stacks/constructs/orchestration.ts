import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Actions, allow, grant, serviceRole, unscopable } from '../iam';
import { reportWorkflowDefinition, type ReportWorkflowProps } from '../state-machine-definition';
import { NodeFunction } from './node-function';

export interface OrchestrationProps extends Omit<ReportWorkflowProps, 'resolveDateFunctionArn' | 'statusFunctionArn'> {
  readonly stateMachineName: string;
  readonly statusFunctionName: string;
  readonly resolveDateFunctionName: string;
  readonly applicationArn: string;
  readonly account: string;
  readonly logRetentionDays: number;
}

/** The report state machine and the two small functions it calls. */
export class Orchestration extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly status: NodeFunction;
  readonly resolveDate: NodeFunction;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);

    this.resolveDate = new NodeFunction(this, 'resolve-date', {
      functionName: props.resolveDateFunctionName,
      entry: 'resolve-date',
      description: 'Validates the report date, defaulting to yesterday (UTC)',
      timeoutSeconds: 10,
      memoryMb: 128,
      logRetentionDays: props.logRetentionDays,
      environment: { POWERTOOLS_SERVICE_NAME: 'clicklogger-resolve-date' },
    });

    this.status = new NodeFunction(this, 'job-status', {
      functionName: props.statusFunctionName,
      entry: 'job-status',
      description: 'Returns the state of one EMR Serverless job run (one GetJobRun per call)',
      timeoutSeconds: 20,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      environment: { APPLICATION_ID: props.applicationId, POWERTOOLS_SERVICE_NAME: 'clicklogger-job-status' },
      statements: [allow(Actions.emrGetJobRun, `${props.applicationArn}/jobruns/*`)],
    });

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      // The /aws/vendedlogs/ prefix keeps the log resource policy under its size limit.
      name: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retentionInDays: props.logRetentionDays,
    });

    const role = serviceRole(this, 'role', {
      name: `${props.stateMachineName}-role`,
      service: 'states.amazonaws.com',
      description: `Execution role of ${props.stateMachineName}`,
      sourceAccount: props.account,
    });
    const policy = grant(this, 'policy', role, [
      allow(Actions.emrStartJobRun, props.applicationArn),
      allow(Actions.lambdaInvoke, [this.status.function.arn, this.resolveDate.function.arn]),
      allow(['iam:PassRole'], props.jobRoleArn, {
        StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' },
      }),
      unscopable('logDelivery'),
      unscopable('xray'),
    ]);

    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: props.stateMachineName,
      type: 'STANDARD',
      roleArn: role.arn,
      definition: JSON.stringify(
        reportWorkflowDefinition({
          ...props,
          resolveDateFunctionArn: this.resolveDate.function.arn,
          statusFunctionArn: this.status.function.arn,
        }),
      ),
      loggingConfiguration: {
        level: 'ERROR',
        includeExecutionData: false,
        logDestination: `${logGroup.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
      dependsOn: [policy],
    });
  }
}
