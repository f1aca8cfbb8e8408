import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Actions, allow, grant, serviceRole, sourceGuard, unscopable } from '../iam';
import { type ArnScope, arnOf } from '../naming';
import { reportWorkflowDefinition, type ReportWorkflowProps } from '../state-machine-definition';
import { STATUS_CHECK_BUDGET } from '../../functions/shared/time-budget';
import { NodeFunction } from './node-function';

export interface OrchestrationProps extends Omit<ReportWorkflowProps, 'resolveDateFunctionArn' | 'statusFunctionArn'> {
  readonly stateMachineName: string;
  readonly statusFunctionName: string;
  readonly resolveDateFunctionName: string;
  readonly applicationArn: string;
  readonly arnScope: ArnScope;
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
      timeoutSeconds: STATUS_CHECK_BUDGET.functionTimeoutSeconds,
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
      // Only this state machine may assume it (Step Functions guide, "Creating an IAM role for your state machine").
      condition: sourceGuard(
        props.arnScope.account,
        arnOf(props.arnScope, 'states', `stateMachine:${props.stateMachineName}`),
      ),
    });
    const policy = grant(this, 'policy', role, [
      allow(Actions.emrStartJobRun, props.applicationArn),
      // Only the failure paths cancel, and only job runs of this application.
      allow(Actions.emrCancelJobRun, `${props.applicationArn}/jobruns/*`),
      allow(Actions.lambdaInvoke, [this.status.function.arn, this.resolveDate.function.arn]),
      allow(['iam:PassRole'], props.jobRoleArn, {
        StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' },
      }),
      unscopable('logDelivery'),
      unscopable('xray'),
      unscopable('xraySampling'),
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
